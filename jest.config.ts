import type { Config } from 'jest';

/** One Jest project per app and lib; `pnpm test` runs them all (scripts/test.mjs). */
const config: Config = {
  projects: [
    '<rootDir>/libs/contracts/jest.config.cjs',
    '<rootDir>/libs/channels/jest.config.cjs',
    '<rootDir>/apps/api/jest.config.cjs',
    '<rootDir>/apps/web/jest.config.cjs',
  ],
  // A global option (Jest ignores it in projects): browser tests on a loaded 2-core machine need the room.
  testTimeout: 90_000,
  // Two test files at a time (Jest's default on 2 cores is one): a file spends most of its time
  // waiting on PostgreSQL, Chromium, Dovecot or timers, and each has its own database cloned from
  // the template and its own peers on ephemeral ports, so files share nothing.
  maxWorkers: 2,
  // Longest files first, from the durations committed beside it: on a clean clone Jest has no
  // durations of its own and would start files by size, leaving one worker on a long file at the end.
  testSequencer: '<rootDir>/scripts/test-sequencer.cjs',
  // Each test file starts a whole app, and a worker keeps some of every file it ran (module
  // copies of the VM-module runtime, about 60–100 MB a file): a worker is replaced once it holds
  // this much, before it reaches the heap's limit (a run of the whole suite hit it at 4 GB).
  workerIdleMemoryLimit: '1200MB',
};

export default config;
