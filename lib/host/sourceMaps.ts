// Source maps on in the host, before anything else loads: stack traces from the library and
// from the protocol's compiled TypeScript point at .ts lines (the maps carry their sources).
// `nodeArgs: ['--no-enable-source-maps']` turns it off.
if (!process.execArgv.includes('--no-enable-source-maps')) process.setSourceMapsEnabled(true);
