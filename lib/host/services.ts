// ctx.events and ctx.support: requests the host makes of the protocol library on the
// router manager's behalf.
import { ERROR_INVALID_PARAMETER, NO_ERROR } from '../constants.js';
import { ProtocolError } from '../api/errors.js';
import type { ConfigSchema, ProtocolEvents, SupportFunctions } from '../api/types.js';
import { ipToWire, isIPv4, wireToIp } from './ip.js';
import type { Requester, Reply } from './requests.js';

const SCOPE_GLOBAL = 1;
const SCOPE_INTERFACE = 2;

/** Support function numbers on the wire (the library maps them to SUPPORT_FUNCTIONS). */
export const SupportFn = {
  GetRouterId: 1, DemandDialRequest: 2, SetInterfaceReceiveType: 3, HasMulticastBoundary: 4,
  MIBEntryCreate: 5, MIBEntryDelete: 6, MIBEntrySet: 7, MIBEntryGet: 8, MIBEntryGetFirst: 9, MIBEntryGetNext: 10,
} as const;

function ok(r: Reply, what: string): Reply {
  if (r.status !== NO_ERROR) throw new ProtocolError(r.status, `${what}: ${r.error || 'refused by the protocol library'}`);
  return r;
}

function encodeConfig(schema: ConfigSchema, config: unknown): Buffer {
  if (!schema) {
    if (!(config instanceof Uint8Array)) throw new TypeError('a protocol without a config schema saves raw bytes (Buffer)');
    return Buffer.from(config);
  }
  return schema.encode(schema.validate(config));
}

export function makeEvents(requester: Requester, globalSchema: () => ConfigSchema, interfaceSchema: () => ConfigSchema,
  applied: { global(config: unknown): void; iface(index: number, config: unknown): void }): ProtocolEvents<any, any> {
  const save = async (scope: number, index: number, schema: ConfigSchema, config: unknown) => {
    const info = encodeConfig(schema, config);
    ok(await requester.request('saveConfig', {
      scope, interfaceIndex: index, info, structureVersion: 1, structureSize: info.length, structureCount: info.length ? 1 : 0,
    }), scope === SCOPE_GLOBAL ? 'saveGlobalConfig' : `saveInterfaceConfig(${index})`);
  };
  return {
    async saveGlobalConfig(config) {
      await save(SCOPE_GLOBAL, 0, globalSchema(), config);
      applied.global(config);
    },
    async saveInterfaceConfig(index, config) {
      await save(SCOPE_INTERFACE, index, interfaceSchema(), config);
      applied.iface(index, config);
    },
  };
}

export function makeSupport(requester: Requester): SupportFunctions {
  const call = async (fn: number, args: number[], input: Buffer = Buffer.alloc(0), outputSize = 0) =>
    requester.request('support', { fn, args: args.map((value) => ({ value: value >>> 0 })), input, outputSize });
  const result = (r: Reply, what: string) => ok(r, what).fields.result as number;
  return {
    async getRouterId() {
      return wireToIp(result(await call(SupportFn.GetRouterId, []), 'GetRouterId'));
    },
    async demandDialRequest(index) {
      return result(await call(SupportFn.DemandDialRequest, [index]), 'DemandDialRequest');
    },
    async setInterfaceReceiveType(index, receiveType, activate) {
      return result(await call(SupportFn.SetInterfaceReceiveType, [index, receiveType, activate ? 1 : 0]), 'SetInterfaceReceiveType');
    },
    async hasMulticastBoundary(index, group) {
      if (!isIPv4(group)) throw new ProtocolError(ERROR_INVALID_PARAMETER, `group ${group} is not an IPv4 address`);
      return result(await call(SupportFn.HasMulticastBoundary, [index, ipToWire(group)]), 'HasMulticastBoundary') !== 0;
    },
    async mibEntryGet(op, pid, input, outputSize) {
      const fn = { get: SupportFn.MIBEntryGet, getFirst: SupportFn.MIBEntryGetFirst, getNext: SupportFn.MIBEntryGetNext }[op];
      const r = ok(await call(fn, [pid], input, outputSize), `MIBEntry ${op}`);
      return { status: r.fields.result as number, output: r.fields.output as Buffer };
    },
    async mibEntrySet(op, pid, input) {
      const fn = { create: SupportFn.MIBEntryCreate, delete: SupportFn.MIBEntryDelete, set: SupportFn.MIBEntrySet }[op];
      return result(await call(fn, [pid], input), `MIBEntry ${op}`);
    },
  };
}
