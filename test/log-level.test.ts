// The library's logLevel: at the default level no line per routine call (each DoUpdateRoutes
// would otherwise be a line in RRAS tracing), at debug (3) one each, and below info (1) no
// information lines either; the host does not send what the level drops.
import test from 'ava';
import { NO_ERROR } from '../lib/index.js';
import { addInterfaces, startScripted } from './helpers.js';

const UPDATES = 5;

for (const [title, settings, perUpdate, info] of [
  ['default (2, info)', {}, 0, true],
  ['3 (debug)', { logLevel: 3 }, UPDATES, true],
  ['1 (warnings)', { logLevel: 1 }, 0, false],
] as const) {
  test(`logLevel ${title}: ${perUpdate ? 'a line per DoUpdateRoutes' : 'no line per DoUpdateRoutes'}${info ? '' : ', no information lines'}`, async (t) => {
    const { router, proto } = await startScripted(t, {}, settings);
    await addInterfaces(proto, [1]);
    for (let i = 0; i < UPDATES; i++) {
      const { code, complete } = await proto.updateRoutes(1);
      t.is(code, NO_ERROR);
      t.is(complete?.updateStatus, NO_ERROR);
    }
    // The host's lines arrive before the reply they precede, so they are written by now.
    const log = router.log();
    t.is(log.split('\n').filter((l) => l.includes('updateRoutes(1) done')).length, perUpdate, log);
    t.is(/\[[^\]]*\/js\] \S+ started/.test(log), info, log);
  });
}
