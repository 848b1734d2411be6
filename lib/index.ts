// rras-bridge: write Windows RRAS routing protocols in TypeScript.
export { defineProtocol, isProtocol, capabilitiesOf } from './api/defineProtocol.js';
export { ProtocolError } from './api/errors.js';
export type * from './api/types.js';
export * from './constants.js';
export * as config from './config/index.js';
export {
  struct, u8, u16, u32, i32, u64, bool32, ipv4, ipv6, enumOf, bytes, array, list, ConfigError,
  type Infer, type StructValue, type StructInput, type Struct,
} from './config/schema.js';
export { paths, type Paths } from './paths.js';
export { openRawIpSocket, type RawIpSocket, type RawIpSocketOptions, type RawIpMessage, type RawIpStats } from './rawip/index.js';
export { hostInfo, type HostInfo } from './host/info.js';
export { walkMib, walkMibView, formatMibTable } from './mock/mibView.js';
export { answerMibQuery, type MibEntry, type MibTableQuery } from './api/mibQuery.js';
export {
  MockRouter, RoutingProtocol, RoutingCallError, codeOf, type MockRouterOptions, type ProtocolSettings, type RoutingEvent, type TraceEntry,
  type TraceValue, type InterfaceSpec, type InfoResult, type StartOptions, type SupportCallRecord, type HostDebugOptions,
  INSPECT_DEADLINE_MS,
} from './mock/router.js';
export { MockRtm, type RtmRoute, type RtmDump, type RtmCounters } from './mock/rtm.js';
export { MS_ROUTER_VERSION_MPR50, MS_ROUTER_VERSION_MPR60, type RouterVersion } from './mock/versions.js';
