// The README's trace picture (docs/trace-timeline.svg and .png): a protocol under MockRouter
// gets interfaces, DoUpdateRoutes on three of them at once, a host that dies in the fourth
// update and is restarted (state replayed, routes kept), and one more update; the trace is
// taken with `rras-bridge trace --format chrome` and drawn with --format svg, then the SVG is
// rendered to PNG by Debian's headless Chromium (apt-get install chromium-headless-shell).
//   node dist/scripts/trace-picture.js [--out-dir docs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MockRouter, NO_ERROR, PERMANENT } from '../lib/index.js';

const outDir = path.resolve(process.argv.includes('--out-dir') ? process.argv[process.argv.indexOf('--out-dir') + 1]! : 'docs');
const cli = path.join(__dirname, '..', 'lib', 'cli.js');

async function main(): Promise<void> {
  const router = new MockRouter();
  const proto = router.register({ protocolId: 0x7ffe0021, name: 'picture', module: path.join(__dirname, 'trace-picture-protocol.js'), heartbeatMs: 0, backoffInitialMs: 20 });
  try {
    if ((await proto.start()) !== NO_ERROR) throw new Error(router.log());
    for (const index of [1, 2, 3, 9])
      await proto.addEnabledInterface({ index, name: `eth${index}`, type: PERMANENT }, { addresses: [{ address: `192.0.2.${index}`, prefixLength: 24 }] });
    await proto.startComplete();
    const started = Date.now();
    await Promise.all([1, 2, 3].map((i) => proto.updateRoutes(i)));
    await proto.updateRoutes(9);  // the host dies: UPDATE_COMPLETE with ERROR_CAN_NOT_COMPLETE
    for (let i = 0; i < 200; i++) {
      if ((await proto.updateRoutes(2)).complete?.updateStatus === NO_ERROR) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const window = Date.now() - started + 50;
    fs.mkdirSync(outDir, { recursive: true });
    const target = ['--run-dir', router.adminDirectory, '--pid', String(process.pid)];
    const chrome = path.join(outDir, 'trace-timeline.json');
    for (const [format, out] of [['chrome', chrome], ['svg', path.join(outDir, 'trace-timeline.svg')]] as const) {
      const r = spawnSync(process.execPath, [cli, 'trace', 'picture', '--format', format, '--out', out, ...target], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`trace --format ${format}: ${r.stderr}`);
    }
    // The picture shows the updates and the restart: the trace from StartComplete on.
    const all = JSON.parse(fs.readFileSync(chrome, 'utf8')) as { ph: string; ts: number; name: string }[];
    const from = all.find((e) => e.ph === 'X' && e.name === 'StartComplete')!.ts;
    const kept = all.filter((e) => e.ph === 'M' || (e.ts >= from && e.ts <= from + window * 1000));
    const { renderTimeline } = await import('../lib/ops/timeline.js');
    fs.writeFileSync(path.join(outDir, 'trace-timeline.svg'), renderTimeline(kept as never, 'rras-bridge trace picture --format svg: three updates, a host crash in the fourth, the restart'));
    fs.rmSync(chrome);
    console.log(`wrote ${path.join(outDir, 'trace-timeline.svg')}`);
  } finally {
    await proto.stop();
    await router.close();
  }
  const svg = path.join(outDir, 'trace-timeline.svg');
  const size = /width="(\d+)" height="(\d+)"/.exec(fs.readFileSync(svg, 'utf8'))!;
  const shell = ['chromium-headless-shell', 'chromium'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
  if (!shell) throw new Error('no headless Chromium: apt-get install chromium-headless-shell');
  const png = path.join(outDir, 'trace-timeline.png');
  const r = spawnSync(shell, ['--headless', '--no-sandbox', '--disable-gpu', `--window-size=${size[1]},${size[2]}`, `--screenshot=${png}`, `file://${svg}`], { encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(png)) throw new Error(`${shell}: ${r.stderr}`);
  console.log(`wrote ${png}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
