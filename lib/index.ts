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
export { answerMibQuery, type MibEntry, type MibTableQuery } from './api/mibQuery.js';
export { RouteBatch, type RouteBatchEntry } from './api/routeBatch.js';

// ---- the test harness (lib/mock), loaded on first use ---------------------------------------
// A protocol host loads this index through the user's module (`import ... from 'rras-bridge'`)
// and needs none of the harness: MockRouter and koffi would cost it about a third of its
// start-up (cold start, issue 12). So the harness's values are getters that load it when one
// is first read; its types are its own (lib/mock/index.ts, documented there). Each getter is
// written out in the form Node's CommonJS export detection (cjs-module-lexer) reads,
// `get() { return harness.NAME; }`, so an ES module's `import { MockRouter } from 'rras-bridge'`
// finds the name.
import type * as Harness from './mock/index.js';

export type {
  MockRouterOptions, ProtocolSettings, RoutingEvent, TraceEntry, TraceValue, InterfaceSpec, InfoResult, StartOptions,
  SupportCallRecord, HostDebugOptions, RtmRoute, RtmDump, RtmCounters, RouterVersion,
} from './mock/index.js';
export type MockRouter = Harness.MockRouter;
export type RoutingProtocol = Harness.RoutingProtocol;
export type RoutingCallError = Harness.RoutingCallError;
export type MockRtm = Harness.MockRtm;
export declare const MockRouter: typeof Harness.MockRouter;
export declare const RoutingProtocol: typeof Harness.RoutingProtocol;
export declare const RoutingCallError: typeof Harness.RoutingCallError;
export declare const codeOf: typeof Harness.codeOf;
export declare const INSPECT_DEADLINE_MS: typeof Harness.INSPECT_DEADLINE_MS;
export declare const MockRtm: typeof Harness.MockRtm;
export declare const walkMib: typeof Harness.walkMib;
export declare const walkMibView: typeof Harness.walkMibView;
export declare const formatMibTable: typeof Harness.formatMibTable;
export declare const MS_ROUTER_VERSION_MPR50: typeof Harness.MS_ROUTER_VERSION_MPR50;
export declare const MS_ROUTER_VERSION_MPR60: typeof Harness.MS_ROUTER_VERSION_MPR60;

const harness = new Proxy({} as typeof Harness, {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load this is for
  get: (_, name) => (require('./mock/index.js') as typeof Harness)[name as keyof typeof Harness],
});
Object.defineProperty(exports, 'MockRouter', { enumerable: true, get() { return harness.MockRouter; } });
Object.defineProperty(exports, 'RoutingProtocol', { enumerable: true, get() { return harness.RoutingProtocol; } });
Object.defineProperty(exports, 'RoutingCallError', { enumerable: true, get() { return harness.RoutingCallError; } });
Object.defineProperty(exports, 'codeOf', { enumerable: true, get() { return harness.codeOf; } });
Object.defineProperty(exports, 'INSPECT_DEADLINE_MS', { enumerable: true, get() { return harness.INSPECT_DEADLINE_MS; } });
Object.defineProperty(exports, 'MockRtm', { enumerable: true, get() { return harness.MockRtm; } });
Object.defineProperty(exports, 'walkMib', { enumerable: true, get() { return harness.walkMib; } });
Object.defineProperty(exports, 'walkMibView', { enumerable: true, get() { return harness.walkMibView; } });
Object.defineProperty(exports, 'formatMibTable', { enumerable: true, get() { return harness.formatMibTable; } });
Object.defineProperty(exports, 'MS_ROUTER_VERSION_MPR50', { enumerable: true, get() { return harness.MS_ROUTER_VERSION_MPR50; } });
Object.defineProperty(exports, 'MS_ROUTER_VERSION_MPR60', { enumerable: true, get() { return harness.MS_ROUTER_VERSION_MPR60; } });
