// The RIP interop suites (npm run test:interop, via scripts/interop.sh): real BIRD 2 and FRR
// ripd in network namespaces. Root only. One file at a time: each starts daemons and
// namespaces, and a 2-core machine should not juggle several labs at once.
export default {
  files: ['test/interop/**/*.interop.ts'],
  typescript: { rewritePaths: { 'test/': 'dist/test/' }, compile: false },
  workerThreads: false,
  concurrency: 1,
  timeout: '120s',
  environmentVariables: { UV_THREADPOOL_SIZE: '16' },
};
