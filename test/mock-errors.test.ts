// What a protocol author sees when something fails: every refused MockRouter call carries the
// entry point, the code with its Microsoft name and the library's log lines about it; module
// load failures say where (file:line:col) and what to do; ctx.log formats like console.log;
// stacks point at the .ts lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import {
  MockRouter, RoutingCallError, codeOf, ERROR_CAN_NOT_COMPLETE, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED, NO_ERROR,
} from '../lib/index.js';
import { fixture, startScripted, uniqueId } from './helpers.js';

const lib = path.join(__dirname, '..', 'lib', 'index.js');

function tempModule(t: { teardown(fn: () => void): void }, name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-module-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function startFailure(t: ExecutionContext, module: string, settings = {}): Promise<RoutingCallError> {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: 0x2b1d0042, module, heartbeatMs: 0, ...settings });
  return (await t.throwsAsync(proto.start(), { instanceOf: RoutingCallError }))!;
}

test('a refused call rejects with the entry point, the code, its name and the library log lines about it', async (t) => {
  const { proto } = await startScripted(t, { startRoutes: [] });
  const err = (await t.throwsAsync(proto.setInterfaceInfo(77, Buffer.alloc(4)), { instanceOf: RoutingCallError, code: ERROR_INVALID_PARAMETER }))!;
  t.is(err.entryPoint, 'SetInterfaceInfo');
  t.is(err.codeName, 'ERROR_INVALID_PARAMETER');
  t.is(err.protocolId, proto.protocolId);
  t.regex(err.message, /^SetInterfaceInfo returned ERROR_INVALID_PARAMETER \(87\) for protocol 0x[0-9A-F]{8} \(\d+\): interface 77/);
  t.is(await codeOf(proto.doUpdateRoutes(99)), ERROR_INVALID_PARAMETER, 'codeOf gives the code either way');
  t.is(await proto.call('pfnUpdateRoutes', 99), ERROR_INVALID_PARAMETER, 'call() is the raw entry point');
});

test('a start that fails in the protocol carries the handler\'s error from the log, not a bare 1003', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x71200000), module: fixture('scripted'), heartbeatMs: 0 });
  const err = (await t.throwsAsync(proto.start({ globalInfo: Buffer.from(JSON.stringify({ startFail: 'the start handler said no' })) }), { instanceOf: RoutingCallError }))!;
  t.is(err.code, ERROR_CAN_NOT_COMPLETE);
  t.is(err.entryPoint, 'StartProtocol');
  t.true(err.log.some((l) => l.includes('the start handler said no')), err.message);
  t.regex(err.message, /library log:\n.*the start handler said no/s);
});

test('settings the library would refuse are a TypeError at register(), naming the field', (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  t.throws(() => router.register({ protocolId: 1, module: fixture('scripted'), heartbeatMs: -1 }), {
    instanceOf: TypeError, message: 'MockRouter.register: heartbeatMs must be an integer from 0 to 4294967295, got -1',
  });
  t.throws(() => router.register({ protocolId: 1, module: fixture('scripted'), nodeArgs: [1 as unknown as string] }), { message: /nodeArgs must be an array of strings/ });
});

test('RegisterProtocol refused: the next call says so, and why it can be', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const protocolId = uniqueId(0x71300000);
  t.is(router.registerUnconfigured(protocolId), ERROR_NOT_SUPPORTED);
  const proto = router.register({ protocolId: uniqueId(0x71300000), module: fixture('scripted'), heartbeatMs: 0 });
  t.is(proto.registerCode, NO_ERROR);
  // A protocol the router never configured: the library says it does not serve it.
  const stranger = (router as unknown as { callRegister(id: number, d: boolean): import('../lib/index.js').RoutingProtocol }).callRegister(protocolId, true);
  const err = (await t.throwsAsync(stranger.start(), { instanceOf: RoutingCallError }))!;
  t.is(err.entryPoint, 'RegisterProtocol');
  t.is(err.code, ERROR_NOT_SUPPORTED);
  t.regex(err.message, /so StartProtocol cannot be called: the library does not serve this protocol id, or could not read its configuration/);
});

test('a syntax error in a CommonJS module is reported as file:line:col with the line', async (t) => {
  const file = tempModule(t, 'broken.js', `const { defineProtocol } = require(${JSON.stringify(lib)});\nmodule.exports = defineProtocol({\n  protocolId: 0x2b1d0042 oops,\n});\n`);
  const err = await startFailure(t, file);
  t.regex(err.message, new RegExp(`${file.replace(/[.\\/]/g, '\\$&')}:3:26: SyntaxError: Unexpected identifier 'oops'`));
  t.regex(err.message, /protocolId: 0x2b1d0042 oops,\n\s+\^/);
});

test('a syntax error in an ES module (where Node gives no place) is found in the module it imports: file:line:col', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-esm-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'helper.mjs'), 'export const metric = 1;\nexport function broken() {\n  return metric +;\n}\n');
  fs.writeFileSync(path.join(dir, 'protocol.mjs'), `import rb from ${JSON.stringify(pathToFileURL(lib).href)};\nimport { metric } from './helper.mjs';\nexport default rb.defineProtocol({ protocolId: 0x2b1d0042 + metric - 1 });\n`);
  const err = await startFailure(t, path.join(dir, 'protocol.mjs'));
  t.regex(err.message, /helper\.mjs:3:18: SyntaxError: Unexpected token ';'/, err.message);
});

test('a module loads as Node loads it: .mjs and .js under "type": "module" as ES modules, .cjs and other .js as CommonJS', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rras-bridge-formats-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Top-level await: only an ES module loaded by import() has it (require() of one refuses it).
  const esm = `import rb from ${JSON.stringify(pathToFileURL(lib).href)};\nconst id = await Promise.resolve(0x2b1d0042);\nexport default rb.defineProtocol({ protocolId: id, name: typeof require });\n`;
  const cjs = `module.exports = require(${JSON.stringify(lib)}).defineProtocol({ protocolId: 0x2b1d0042, name: typeof require });\n`;
  fs.mkdirSync(path.join(dir, 'esm'));
  fs.writeFileSync(path.join(dir, 'esm', 'package.json'), '{ "type": "module" }\n');
  fs.writeFileSync(path.join(dir, 'esm', 'protocol.js'), esm);
  fs.writeFileSync(path.join(dir, 'esm', 'protocol.cjs'), cjs);
  fs.writeFileSync(path.join(dir, 'protocol.mjs'), esm);
  fs.writeFileSync(path.join(dir, 'protocol.js'), cjs);
  for (const [file, kind] of [['esm/protocol.js', 'undefined'], ['protocol.mjs', 'undefined'], ['esm/protocol.cjs', 'function'], ['protocol.js', 'function']]) {
    const router = new MockRouter();
    t.teardown(() => router.close());
    const proto = router.register({ protocolId: 0x2b1d0042, module: path.join(dir, file!), heartbeatMs: 0 });
    t.is(await proto.start(), NO_ERROR, `${file}: ${router.log()}`);
    t.regex(router.log(), new RegExp(`INFO \\[[^\\]]+/js\\] ${kind} started`), file);
  }
});

test('a .ts module says how to build or load it', async (t) => {
  const file = tempModule(t, 'protocol.ts', 'export default {};\n');
  const err = await startFailure(t, file);
  t.regex(err.message, /protocol\.ts is TypeScript, which this Node\.js \(v[\d.]+\) does not load by itself/);
  t.regex(err.message, /npx tsc/);
  t.regex(err.message, /nodeArgs: \['--import', 'tsx'\]/);
});

test('a module that does not exist, or exports no protocol, or another id, says so', async (t) => {
  const missing = await startFailure(t, path.join(os.tmpdir(), 'rras-bridge-no-such-module.js'));
  t.regex(missing.message, /rras-bridge-no-such-module\.js does not exist/);
  const notProtocol = await startFailure(t, tempModule(t, 'plain.js', 'module.exports = { hello: 1 };\n'));
  t.regex(notProtocol.message, /the default export is not a protocol \(write export default defineProtocol/);
  const other = await startFailure(t, tempModule(t, 'other.js', `module.exports = require(${JSON.stringify(lib)}).defineProtocol({ protocolId: 0x2b1d0043 });\n`));
  t.regex(other.message, /defines protocol 0x2B1D0043 \(723320899\), but it is configured for protocol 0x2B1D0042 \(723320898\)/);
});

test('ctx.log formats like console.log; a handler\'s stack points at its .ts line', async (t) => {
  const file = tempModule(t, 'logging.js', `const { defineProtocol, PROTOCOL_ID } = require(${JSON.stringify(lib)});
module.exports = defineProtocol({ protocolId: 0x2b1d0042, name: 'logging',
  start(ctx) { ctx.log.info('%s has %d interfaces, %i%% done, options %o', 'router', 3, 99.5, { a: [1, 2] }, 'extra', 7); },
  updateRoutes(ctx) { ctx.log.warn({ nested: { deep: true } }); throw new Error('from the handler'); },
});\n`);
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: 0x2b1d0042, module: file, heartbeatMs: 0 });
  await proto.start();
  t.regex(router.log(), /\[logging\/js\] router has 3 interfaces, 99% done, options \{ a: \[ 1, 2, \[length\]: 2 \] \} extra 7/);
  await proto.addEnabledInterface({ index: 1 }, { addresses: [{ address: '192.0.2.1', prefixLength: 24 }] });
  const { complete, log } = await proto.updateRoutes(1);
  t.is(complete.updateStatus, ERROR_CAN_NOT_COMPLETE);
  t.true(log.some((l) => /\{ nested: \{ deep: true \} \}/.test(l)), log.join('\n'));
  t.true(log.some((l) => /Error: from the handler/.test(l)), log.join('\n'));
  // The library's own TypeScript, through its shipped source maps:
  t.true(log.some((l) => /lib[\\/]host[\\/]runtime\.ts:\d+:\d+/.test(l)), log.join('\n'));
});

test('RTM routes carry handle, views and flags', async (t) => {
  const { router, proto } = await startScripted(t, { startRoutes: [{ destination: '10.5.0.0', prefixLength: 16, nextHop: '192.0.2.1', interfaceIndex: 1, metric: 3 }] });
  const [route] = router.rtm.routes(proto.protocolId);
  t.like(route, { dest: '10.5.0.0/16', owner: proto.protocolId, metric: 3, views: 1 });
  t.regex(route!.handle, /^0x[0-9a-f]{16}$/);
  t.is(typeof route!.flags, 'number');
  t.is(await proto.startComplete(), NO_ERROR);
});
