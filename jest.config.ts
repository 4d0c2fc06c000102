import type { Config } from 'jest';

/** One Jest project per app and lib; `pnpm test` runs them all (scripts/test.mjs). */
const config: Config = {
  projects: [
    '<rootDir>/libs/contracts/jest.config.cjs',
    '<rootDir>/libs/channels/jest.config.cjs',
    '<rootDir>/apps/api/jest.config.cjs',
    '<rootDir>/apps/web/jest.config.cjs',
  ],
  testTimeout: 30_000,
};

export default config;
