// routprot.h's names for what MockRouter calls and offers: each entry point by its function
// name (pfnUpdateRoutes is DoUpdateRoutes, as PDO_UPDATE_ROUTES says) with its parameters, and
// the SUPPORT_FUNCTIONS members with theirs, so traces and errors read like the header.
import type { EntryPointName } from './ffi.js';

export interface Signature {
  /** The function's name in routprot.h. */
  readonly name: string;
  /** Its parameters, in order, as the header names them. */
  readonly params: readonly string[];
}

const INFO_OUT = ['BufferSize', 'StructureVersion', 'StructureSize', 'StructureCount'];
const INFO_IN = ['StructureVersion', 'StructureSize', 'StructureCount'];
const MIB_IN = ['InputDataSize', 'InputData'];
const MIB_IN_OUT = [...MIB_IN, 'OutputDataSize', 'OutputData'];

export const ENTRY_POINTS: Readonly<Record<EntryPointName, Signature>> = {
  pfnStartProtocol: { name: 'StartProtocol', params: ['NotificationEvent', 'SupportFunctions', 'GlobalInfo', ...INFO_IN] },
  pfnStartComplete: { name: 'StartComplete', params: [] },
  pfnStopProtocol: { name: 'StopProtocol', params: [] },
  pfnGetGlobalInfo: { name: 'GetGlobalInfo', params: ['GlobalInfo', ...INFO_OUT] },
  pfnSetGlobalInfo: { name: 'SetGlobalInfo', params: ['GlobalInfo', ...INFO_IN] },
  pfnQueryPower: { name: 'QueryPower', params: ['PowerType'] },
  pfnSetPower: { name: 'SetPower', params: ['PowerType'] },
  pfnAddInterface: {
    name: 'AddInterface',
    params: ['InterfaceName', 'InterfaceIndex', 'InterfaceType', 'MediaType', 'AccessType', 'ConnectionType', 'InterfaceInfo', ...INFO_IN],
  },
  pfnDeleteInterface: { name: 'DeleteInterface', params: ['InterfaceIndex'] },
  pfnInterfaceStatus: { name: 'InterfaceStatus', params: ['InterfaceIndex', 'InterfaceActive', 'StatusType', 'StatusInfo'] },
  pfnGetInterfaceInfo: { name: 'GetInterfaceInfo', params: ['InterfaceIndex', 'InterfaceInfo', ...INFO_OUT] },
  pfnSetInterfaceInfo: { name: 'SetInterfaceInfo', params: ['InterfaceIndex', 'InterfaceInfo', ...INFO_IN] },
  pfnGetEventMessage: { name: 'GetEventMessage', params: ['Event', 'Result'] },
  pfnUpdateRoutes: { name: 'DoUpdateRoutes', params: ['InterfaceIndex'] },
  pfnConnectClient: { name: 'ConnectClient', params: ['InterfaceIndex', 'ClientAddress'] },
  pfnDisconnectClient: { name: 'DisconnectClient', params: ['InterfaceIndex', 'ClientAddress'] },
  pfnGetNeighbors: { name: 'GetNeighbors', params: ['InterfaceIndex', 'NeighborList', 'NeighborListSize', 'InterfaceFlags'] },
  pfnGetMfeStatus: { name: 'GetMfeStatus', params: ['InterfaceIndex', 'GroupAddress', 'SourceAddress', 'StatusCode'] },
  pfnMibCreateEntry: { name: 'MibCreate', params: MIB_IN },
  pfnMibDeleteEntry: { name: 'MibDelete', params: MIB_IN },
  pfnMibGetEntry: { name: 'MibGet', params: MIB_IN_OUT },
  pfnMibSetEntry: { name: 'MibSet', params: MIB_IN },
  pfnMibGetFirstEntry: { name: 'MibGetFirst', params: MIB_IN_OUT },
  pfnMibGetNextEntry: { name: 'MibGetNext', params: MIB_IN_OUT },
  pfnMibSetTrapInfo: { name: 'MibSetTrapInfo', params: ['Event', ...MIB_IN_OUT] },
  pfnMibGetTrapInfo: { name: 'MibGetTrapInfo', params: MIB_IN_OUT },
};

/** RegisterProtocol, the one export, as traces show it. */
export const REGISTER_PROTOCOL: Signature = { name: 'RegisterProtocol', params: ['dwProtocolId'] };

/** SUPPORT_FUNCTIONS members by the mock RTM's MOCK_SUPPORT_* numbers (mock_rtm.h). */
export const SUPPORT_FUNCTIONS: readonly Signature[] = [
  { name: '', params: [] },
  { name: 'DemandDialRequest', params: ['ProtocolId', 'InterfaceIndex'] },
  { name: 'SetInterfaceReceiveType', params: ['ProtocolId', 'InterfaceIndex', 'InterfaceReceiveType', 'bActivate'] },
  { name: 'ValidateRoute', params: ['ProtocolId', 'DestAddress'] },
  { name: 'MIBEntryCreate', params: ['dwRoutingPid', 'dwEntrySize'] },
  { name: 'MIBEntryDelete', params: ['dwRoutingPid', 'dwEntrySize'] },
  { name: 'MIBEntrySet', params: ['dwRoutingPid', 'dwEntrySize'] },
  { name: 'MIBEntryGet', params: ['dwRoutingPid', 'dwInEntrySize'] },
  { name: 'MIBEntryGetFirst', params: ['dwRoutingPid', 'dwInEntrySize'] },
  { name: 'MIBEntryGetNext', params: ['dwRoutingPid', 'dwInEntrySize'] },
  { name: 'GetRouterId', params: [] },
  { name: 'HasMulticastBoundary', params: ['dwIfIndex', 'dwGroupAddress'] },
  // SUPPORT_FUNCTIONS_60's own (MPR60 mode).
  { name: 'ValidateRouteEx', params: ['dwProtocolId', 'dwSubProtocolId', 'dwTransportId'] },
  { name: 'GetRoutingDomainInfo', params: ['dwRevision', 'dwBufSize'] },
  { name: 'GetInterfaceInformation', params: ['dwInterfaceIndex', 'dwTransportId', 'dwRevision', 'dwBufSize'] },
];

/** A value as a trace shows it: buffers by size, structures by kind, numbers and text as they are. */
export function traceValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return String(value);
  return '<struct>';
}

/** Positional arguments as an object keyed by the header's parameter names. */
export function namedArgs(signature: Signature, args: readonly unknown[]): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  args.forEach((a, i) => (out[signature.params[i] ?? `arg${i}`] = traceValue(a)));
  return out;
}
