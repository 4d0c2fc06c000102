#!/usr/bin/env node
// `pnpm test`: builds what the browser tests serve, runs every Jest project (real PostgreSQL,
// Redis, Chromium), and ends with the line CI reads: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

// Lint, type-check and build everything first: the browser tests serve the built web app, and the
// SIGKILL test starts PostgreSQL from the compiled API in a child process.
for (const [cmd, args] of [
  ['pnpm', ['lint']],
  [
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-b',
      'libs/contracts',
      'libs/channels',
      'libs/testing',
      'apps/api',
      'apps/api/bench',
    ],
  ],
  [process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.tests.json']],
  ['pnpm', ['--filter', '@guichet/web', 'typecheck']],
  ['pnpm', ['--filter', '@guichet/web', 'build']],
]) {
  if (run(cmd, args) !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const results = join(root, '.jest-results.json');
rmSync(results, { force: true });
const code = run(
  process.execPath,
  [
    join(root, 'node_modules/jest/bin/jest.js'),
    '--json',
    `--outputFile=${results}`,
    ...process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  ],
  // Jest loads the ESM-only NestJS 12 packages through require(esm), which needs the VM modules API.
  { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() },
);

let passed = 0;
let failed;
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests;
  // A suite that fails to load counts as a failure even though none of its tests ran.
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
} catch {
  failed = 1;
}
if (code !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
