import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Vitest's default on 2 cores is one worker, and most of a test's time here is spent waiting
    // on a child process or a server, so a second worker runs while the first waits.
    maxWorkers: 2,
    // Each file would otherwise load grpc-js and the SDK's messages afresh, about a second each.
    // No test depends on a fresh module: settings are read from the env given to each instance,
    // and fake timers are restored after every test that uses them.
    isolate: false,
  },
});
