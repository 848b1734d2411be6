import type { AddressFamily, ConfigSchema, Protocol, ProtocolDefinition } from './types.js';
import { IP_GENERAL_INFO_BASE, RF_DEMAND_UPDATE_ROUTES, RF_POWER, RF_ROUTING } from '../constants.js';

/**
 * Declares a routing protocol. The module's default export must be the returned value:
 *
 *   export default defineProtocol({ protocolId: PROTOCOL_ID(PROTO_TYPE_UCAST, 0x1234, 1),
 *     async updateRoutes(ctx, iface) { ... } });
 */
export function defineProtocol<GS extends ConfigSchema = undefined, IS extends ConfigSchema = undefined, AF extends AddressFamily = 'ipv4'>(
  definition: ProtocolDefinition<GS, IS, AF>,
): Protocol<GS, IS, AF> {
  const id = definition.protocolId;
  if (!Number.isInteger(id) || id < 0 || id >= IP_GENERAL_INFO_BASE) {
    throw new RangeError(
      `defineProtocol: protocolId must be an integer from 0 to 0x${(IP_GENERAL_INFO_BASE - 1).toString(16)} ` +
        `(ids from 0xFFFF0000 are the IP router manager's own InfoTypes), got ${String(id)}`,
    );
  }
  for (const [key, value] of Object.entries(definition)) {
    const known = ['protocolId', 'name', 'addressFamily', 'globalConfig', 'interfaceConfig', 'gracefulRestart', 'mibView', 'start', 'startComplete', 'stop',
      'addInterface', 'deleteInterface', 'interfaceStatus', 'setGlobalConfig', 'setInterfaceConfig', 'updateRoutes', 'mib',
      'queryPower', 'setPower', 'connectClient', 'disconnectClient'];
    if (!known.includes(key)) throw new TypeError(`defineProtocol: unknown property '${key}' (known: ${known.join(', ')})`);
    if (!['protocolId', 'name', 'addressFamily', 'globalConfig', 'interfaceConfig', 'gracefulRestart', 'mibView'].includes(key) && typeof value !== 'function') {
      throw new TypeError(`defineProtocol: '${key}' must be a function`);
    }
  }
  if (definition.addressFamily !== undefined && definition.addressFamily !== 'ipv4' && definition.addressFamily !== 'ipv6') {
    throw new TypeError(`defineProtocol: addressFamily must be 'ipv4' or 'ipv6', got ${JSON.stringify(definition.addressFamily)}`);
  }
  if (definition.gracefulRestart !== undefined && !['auto', 'manual'].includes(definition.gracefulRestart)) {
    throw new TypeError(`defineProtocol: gracefulRestart must be 'auto' or 'manual'`);
  }
  const view = definition.mibView;
  if (view !== undefined && (typeof view !== 'object' || view === null || !Array.isArray(view.tables) ||
    !view.tables.every((t) => typeof t?.title === 'string' && Buffer.isBuffer(t.first) && typeof t.next === 'function' && typeof t.decode === 'function'))) {
    throw new TypeError('defineProtocol: mibView must be { tables: { title, first: Buffer, next(record), decode(record) }[] }');
  }
  return Object.freeze({
    ...definition,
    kind: 'rras-bridge.protocol' as const,
    name: definition.name ?? `protocol-${id}`,
    addressFamily: (definition.addressFamily ?? 'ipv4') as AF,
  });
}

export function isProtocol(value: unknown): value is Protocol {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rras-bridge.protocol';
}

/**
 * What the protocol library must announce at RegisterProtocol for this protocol (before its
 * host runs): the RF_* flags and whether ConnectClient/DisconnectClient are implemented. The
 * installer writes these into the protocol's configuration.
 */
export function capabilitiesOf(p: Protocol): { supportedFunctionality: number; clientCalls: number; ipv6: number } {
  // RF_ROUTING: RTM of the protocol's family (the library claims RF_ROUTINGV6 for ipv6).
  let flags = RF_ROUTING;
  if (p.updateRoutes) flags |= RF_DEMAND_UPDATE_ROUTES;
  if (p.queryPower || p.setPower) flags |= RF_POWER;
  return { supportedFunctionality: flags, clientCalls: p.connectClient || p.disconnectClient ? 1 : 0, ipv6: p.addressFamily === 'ipv6' ? 1 : 0 };
}
