// What a protocol host loads to start: the public API through the user's module, never the
// test harness (lib/mock, MockRouter) or koffi, which only a test process needs (issue 12's
// cold start); and the harness is still there, through the same index, for whoever uses it.
import test from 'ava';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { MockRouter, NO_ERROR } from '../lib/index.js';
import { fixture, uniqueId } from './helpers.js';

const dist = path.resolve(__dirname, '..', 'lib');
const harness = (file: string) => file.startsWith(path.join(dist, 'mock') + path.sep) || /[\\/]koffi[\\/]/.test(file);

test('a host loads the public API without the test harness or koffi', async (t) => {
  const router = new MockRouter();
  t.teardown(() => router.close());
  const proto = router.register({ protocolId: uniqueId(0x75000000), module: fixture('loaded-modules'), heartbeatMs: 0 });
  t.is(await proto.start(), NO_ERROR, router.log());
  const r = await proto.mib('get', Buffer.alloc(4), 1 << 20);
  t.is(r.code, NO_ERROR);
  const loaded: string[] = JSON.parse(r.output.toString());
  t.true(loaded.includes(path.join(dist, 'index.js')), 'the protocol module loaded the package index');
  t.true(loaded.includes(path.join(dist, 'host', 'runtime.js')), 'the list is the host process\'s');
  t.deepEqual(loaded.filter(harness), [], 'no harness module in the host');
});

test('the index loads the harness when one of its values is first used, from CommonJS and ES modules', (t) => {
  const index = path.join(dist, 'index.js');
  const cjs = spawnSync(process.execPath, ['-e', `
    const api = require(${JSON.stringify(index)});
    const before = Object.keys(require.cache).filter((f) => /[\\\\/]mock[\\\\/]|koffi/.test(f)).length;
    console.log(JSON.stringify({ before, router: typeof api.MockRouter, rtm: typeof api.MockRtm, v: api.MS_ROUTER_VERSION_MPR60,
      walk: typeof api.walkMib, after: Object.keys(require.cache).some((f) => /koffi/.test(f)), keys: Object.keys(api).includes('MockRouter') }));
  `], { encoding: 'utf8' });
  t.is(cjs.status, 0, cjs.stderr);
  t.deepEqual(JSON.parse(cjs.stdout), { before: 0, router: 'function', rtm: 'function', v: 0x600, walk: 'function', after: true, keys: true });
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { MockRouter, RoutingCallError, codeOf, INSPECT_DEADLINE_MS, defineProtocol } from ${JSON.stringify(pathToFileURL(index).href)};
    console.log(JSON.stringify([typeof MockRouter, typeof RoutingCallError, typeof codeOf, INSPECT_DEADLINE_MS, typeof defineProtocol]));
  `], { encoding: 'utf8' });
  t.is(esm.status, 0, esm.stderr);
  t.deepEqual(JSON.parse(esm.stdout), ['function', 'function', 'function', 10 * 60 * 1000, 'function']);
});
