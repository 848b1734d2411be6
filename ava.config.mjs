// Tests are written in TypeScript and compiled by `tsc -p .` (npm test does that first).
// workerThreads: false — each test file gets its own process, because the protocol library
// and koffi callbacks are per-process native state.
export default {
  files: ['test/**/*.test.ts'],
  typescript: { rewritePaths: { 'test/': 'dist/test/' }, compile: false },
  workerThreads: false,
  timeout: '60s',
  environmentVariables: { UV_THREADPOOL_SIZE: '16' },
};
