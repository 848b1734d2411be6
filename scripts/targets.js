#!/usr/bin/env node
// Prints a target's sources from native/targets.json (used by binding.gyp), one per line.
'use strict';
const targets = require('../native/targets.json');
const name = process.argv[2];
if (!targets[name]) {
  console.error(`unknown target '${name}'; known: ${Object.keys(targets).filter((k) => !k.startsWith('_')).join(', ')}`);
  process.exit(2);
}
const list = name === 'common' ? targets.common : [...targets.common, ...targets[name]];
process.stdout.write(list.join('\n') + '\n');
