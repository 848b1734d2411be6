// ctx.events and ctx.support: requests the host makes of the protocol library on the
// router manager's behalf.
import { ERROR_INVALID_PARAMETER, NO_ERROR } from '../constants.js';
import { ProtocolError } from '../api/errors.js';
import type { ConfigSchema, ProtocolEvents, SupportFunctions } from '../api/types.js';
import { ConfigScope, SupportFunction } from '../addon/index.js';
import { ipToWire, isIPv4, wireToIp } from './ip.js';
import { fieldsOf, type Requester } from './requests.js';

// A saved block is one structure of the protocol's own (version 1), or none.
const SAVED_STRUCTURE_VERSION = 1;

function encodeConfig(schema: ConfigSchema, config: unknown): Uint8Array {
  if (!schema) {
    // Sent as given: the addon copies the bytes before request() returns.
    if (!(config instanceof Uint8Array)) throw new TypeError('a protocol without a config schema saves raw bytes (Buffer)');
    return config;
  }
  return schema.encode(schema.validate(config));
}

export function makeEvents(requester: Requester, globalSchema: () => ConfigSchema, interfaceSchema: () => ConfigSchema,
  applied: { global(config: unknown): void; iface(index: number, config: unknown): void }): ProtocolEvents<any, any> {
  // One promise per save, not a chain of async functions: a protocol may save at a high rate
  // (issue 12's event-throughput raises 500k a second). A bad config rejects, never throws.
  const save = (scope: ConfigScope, index: number, schema: ConfigSchema, config: unknown, apply: () => void): Promise<void> => {
    let info: Uint8Array;
    try {
      info = encodeConfig(schema, config);
    } catch (err) {
      return Promise.reject(err);
    }
    return requester.requestThen('saveConfig', {
      scope, interfaceIndex: index, info, structureVersion: SAVED_STRUCTURE_VERSION, structureSize: info.length,
      structureCount: info.length ? 1 : 0,
    }, (r) => {
      // The name is made only for an error: a string per save is measurable at this rate.
      if (r.status !== NO_ERROR) fieldsOf(r, scope === ConfigScope.Global ? 'saveGlobalConfig' : `saveInterfaceConfig(${index})`);
      apply();
    });
  };
  return {
    saveGlobalConfig: (config) => save(ConfigScope.Global, 0, globalSchema(), config, () => applied.global(config)),
    saveInterfaceConfig: (index, config) => save(ConfigScope.Interface, index, interfaceSchema(), config, () => applied.iface(index, config)),
  };
}

export function makeSupport(requester: Requester): SupportFunctions {
  /** The router manager's function fn, through the library; its answer once the call went through. */
  const call = async (fn: SupportFunction, what: string, args: number[], input: Buffer = Buffer.alloc(0), outputSize = 0) =>
    fieldsOf(await requester.request('support', { fn, args: args.map((value) => ({ value: value >>> 0 })), input, outputSize }), what);
  return {
    async getRouterId() {
      return wireToIp((await call(SupportFunction.GetRouterId, 'GetRouterId', [])).result);
    },
    async demandDialRequest(index) {
      return (await call(SupportFunction.DemandDialRequest, 'DemandDialRequest', [index])).result;
    },
    async setInterfaceReceiveType(index, receiveType, activate) {
      return (await call(SupportFunction.SetInterfaceReceiveType, 'SetInterfaceReceiveType', [index, receiveType, activate ? 1 : 0])).result;
    },
    async hasMulticastBoundary(index, group) {
      if (!isIPv4(group)) throw new ProtocolError(ERROR_INVALID_PARAMETER, `group ${group} is not an IPv4 address`);
      return (await call(SupportFunction.HasMulticastBoundary, 'HasMulticastBoundary', [index, ipToWire(group)])).result !== 0;
    },
    async mibEntryGet(op, pid, input, outputSize) {
      const fn = { get: SupportFunction.MIBEntryGet, getFirst: SupportFunction.MIBEntryGetFirst, getNext: SupportFunction.MIBEntryGetNext }[op];
      const r = await call(fn, `MIBEntry ${op}`, [pid], input, outputSize);
      return { status: r.result, output: r.output };
    },
    async mibEntrySet(op, pid, input) {
      const fn = { create: SupportFunction.MIBEntryCreate, delete: SupportFunction.MIBEntryDelete, set: SupportFunction.MIBEntrySet }[op];
      return (await call(fn, `MIBEntry ${op}`, [pid], input)).result;
    },
  };
}
