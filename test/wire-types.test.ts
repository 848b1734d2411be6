// lib/addon/wire.ts is the TypeScript view of the wire catalogue (native/common/schema.h):
// it must be what the addon built from that catalogue gives, or the host would speak names and
// numbers the library does not (npm run wire:types rewrites it).
import fs from 'node:fs';
import test from 'ava';
import { loadAddon } from '../lib/addon/index.js';
import { generateWireTypes, wireTypesFile } from '../scripts/wire-types.js';

test('lib/addon/wire.ts is current with the catalogue the addon was built from (else: npm run wire:types)', (t) => {
  t.is(fs.readFileSync(wireTypesFile, 'utf8'), generateWireTypes(loadAddon().schema));
});

