// The test harness's public surface: what the package index (lib/index.ts) re-exports, loading
// this module only when one of these values is first used (a protocol host never does), and
// where the API documentation describes them.
export {
  MockRouter, RoutingProtocol, RoutingCallError, codeOf, type MockRouterOptions, type ProtocolSettings, type RoutingEvent, type TraceEntry,
  type TraceValue, type InterfaceSpec, type InfoResult, type StartOptions, type SupportCallRecord, type HostDebugOptions,
  INSPECT_DEADLINE_MS,
} from './router.js';
export { MockRtm, type RtmRoute, type RtmDump, type RtmCounters } from './rtm.js';
export { walkMib, walkMibView, formatMibTable } from './mibView.js';
export { MS_ROUTER_VERSION_MPR50, MS_ROUTER_VERSION_MPR60, type RouterVersion } from './versions.js';
