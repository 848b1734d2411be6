// Checks that need the native build and the mingw-w64 cross build side by side; run on Linux
// by scripts/test-windows.sh (npm run test:windows) after it built both, not by npm test.
export default {
  files: ['test/cross/**/*.ts'],
  typescript: { rewritePaths: { 'test/': 'dist/test/' }, compile: false },
  workerThreads: false,
  timeout: '120s',
};
