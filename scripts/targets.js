#!/usr/bin/env node
// A target's sources from native/targets.json, one per line (binding.gyp runs this):
//   node scripts/targets.js <target> [platform]
// platform: posix or win32; gyp's OS names are accepted ('win' is win32, any other is
// posix); default: this machine's. The same rules are in cmake/targets.cmake.
'use strict';
const targets = require('../native/targets.json');

const platformOf = (p) => (p === 'win' || p === 'win32' ? 'win32' : 'posix');

/** Target names (keys without a platform suffix or a leading underscore), 'common' excluded. */
function targetNames() {
  return Object.keys(targets).filter((k) => !k.startsWith('_') && !k.includes(':') && k !== 'common');
}

function sources(name, platform = process.platform) {
  const plat = platformOf(platform);
  if (!targets[name] || name.includes(':')) throw new Error(`unknown target '${name}'; known: common, ${targetNames().join(', ')}`);
  const standalone = name === 'common' || (targets._standalone ?? []).includes(name);
  const keys = standalone ? [name, `${name}:${plat}`] : ['common', `common:${plat}`, name, `${name}:${plat}`];
  return keys.flatMap((k) => targets[k] ?? []);
}

module.exports = { sources, targetNames, platformOf, targets };

if (require.main === module) {
  try {
    process.stdout.write(sources(process.argv[2], process.argv[3]).join('\n') + '\n');
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
}
