#!/usr/bin/env node
// The protocol host: the process the protocol library spawns for one protocol id.
//   node main.js --protocol-id N --name NAME --module PATH --address SOCKET --generation G
//                [--log-level L]   (the library's logLevel: lines above it are not even sent)
// (exactly these, each once, each followed by its value).
// The handshake token arrives on stdin (hex, one line), never on the command line.
// RRAS_BRIDGE_WIRE_VERSION, when set, is the newest wire version the host offers (a pin; how
// the tests play a host of an earlier release against a newer library).
//
// This file only picks how the host's code loads: from bundle.js (scripts/bundle-host.js:
// start.ts, the public API and what they import, as one file that registers each module under
// its own path) while the bundle holds what those files hold (bundle.js fresh()), else from them.
import './sourceMaps.js'; // first: every module loaded after it gets its source map

interface Bundle { fresh(): boolean; start(): void }

function bundle(): Bundle | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated after tsc, may be absent
    const b = require('./bundle.js') as Bundle;
    return b.fresh() ? b : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const b = bundle();
if (b) b.start();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the same code, file by file
else require('./start.js');
