#!/usr/bin/env node
// Prints a target's sources from native/targets.json (used by binding.gyp), one per line.
'use strict';
const targets = require('../native/targets.json');
const name = process.argv[2];
if (!targets[name]) {
  console.error(`unknown target '${name}'; known: ${Object.keys(targets).filter((k) => !k.startsWith('_')).join(', ')}`);
  process.exit(2);
}
// The mock RTM stands alone: it shares no code with the channel.
const standalone = name === 'common' || name === 'rras_bridge_mock_rtm';
const list = standalone ? targets[name] : [...targets.common, ...targets[name]];
process.stdout.write(list.join('\n') + '\n');
