// Source maps on in the host, before anything else loads: stack traces from the library and
// from the protocol's compiled TypeScript point at .ts lines (the maps carry their sources).
// `nodeArgs: ['--no-enable-source-maps']` turns it off.
/** Whether the host turned source maps on (main.ts then registers the bundle's map itself). */
export const sourceMapsOn = !process.execArgv.includes('--no-enable-source-maps');
if (sourceMapsOn) process.setSourceMapsEnabled(true);
