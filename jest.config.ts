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
};

export default config;
