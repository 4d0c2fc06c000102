#!/usr/bin/env node
// `pnpm test`: builds what the tests run (the compiled API, the web app the browser tests serve),
// runs every Jest project (real PostgreSQL, Redis, Chromium) while lint and the type-checks run
// beside it at the lowest CPU priority, and ends with the line CI reads: `N passed, N failed`.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** Runs a command; `capture`: its output is kept (and returned) instead of printed as it comes. */
const run = (cmd, args, { env = {}, capture = false } = {}) =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    let output = '';
    if (capture) for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (output += d));
    const done = (status) => resolve({ status, output, label: [cmd, ...args].join(' '), seconds: (Date.now() - started) / 1000 });
    child.on('error', (e) => ((output += `${e.message}\n`), done(1)));
    child.on('close', (code) => done(code ?? 1));
  });

/** Steps run one after the other; the first that fails stops its chain. */
const chain = async (steps, opts) => {
  const results = [];
  for (const [cmd, args] of steps) {
    const r = await run(cmd, args, opts);
    results.push(r);
    if (r.status !== 0) break;
  }
  return results;
};

const report = (results) => {
  for (const r of results) {
    if (r.output && r.status !== 0) process.stdout.write(r.output);
    console.log(`${r.status === 0 ? 'ok' : 'FAILED'} (${r.seconds.toFixed(0)} s): ${r.label}`);
  }
  return results.every((r) => r.status === 0);
};

const fail = () => {
  console.log('0 passed, 1 failed');
  process.exit(1);
};

// 1. What the tests run, both at once (the web app compiles the contracts from source): the
// browser tests serve the built web app; the SIGKILL, CLI and instance-kill tests start the
// compiled API in child processes.
const built = await Promise.all([
  chain([[process.execPath, [tsc, '-b', 'libs/contracts', 'libs/channels', 'libs/testing', 'apps/api']]], { capture: true }),
  chain([['pnpm', ['--filter', '@guichet/web', 'build']]], { capture: true }),
]);
if (!report(built.flat())) fail();

// 2. Jest, and beside it lint and the type-checks that nothing in the tests waits for, at nice 19:
// they take only the CPU the tests leave idle (the tests mostly wait on PostgreSQL, Chromium,
// Dovecot or timers), so their minutes no longer add to the run's. Their output comes after
// Jest's; any of them failing fails the run.
const nice = (cmd, args) => ['nice', ['-n', '19', cmd, ...args]];
const checks = chain(
  [
    nice('pnpm', ['lint']),
    // The bench and the tests are checked against the declarations step 1 wrote (their tsconfigs
    // reference the API and the libs), not by checking the API's sources once more each.
    nice(process.execPath, [tsc, '-p', 'apps/api/bench/tsconfig.check.json']),
    nice(process.execPath, [tsc, '-p', 'tsconfig.tests.json']),
    nice('pnpm', ['--filter', '@guichet/web', 'typecheck']),
  ],
  { capture: true },
);

const results = join(root, '.jest-results.json');
rmSync(results, { force: true });
const jestArgs = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const jest = await run(
  process.execPath,
  [join(root, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${results}`, ...jestArgs],
  // Jest loads the ESM-only NestJS 12 packages through require(esm), which needs the VM modules API.
  { env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() } },
);
console.log(`Jest: ${jest.seconds.toFixed(0)} s`);
const checked = report(await checks);

let passed = 0;
let failed;
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests;
  // A suite that fails to load counts as a failure even though none of its tests ran.
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  // A whole run's durations of every file, longest first: the order the next run starts files in
  // (scripts/test-sequencer.cjs), and what scripts/test-durations.json is a copy of. A run of some
  // files only (arguments given) leaves the last whole run's.
  const durations = Object.fromEntries(
    r.testResults
      .map((f) => [relative(root, f.name), Math.round((f.endTime - f.startTime) / 100) / 10])
      .sort((a, b) => b[1] - a[1]),
  );
  if (!jestArgs.length) {
    writeFileSync(join(root, '.jest-durations.json'), `${JSON.stringify(durations, null, 2)}\n`);
    const committed = JSON.parse(readFileSync(join(root, 'scripts/test-durations.json'), 'utf8'));
    const unlisted = Object.keys(durations).filter((f) => !(f in committed)).length;
    if (unlisted)
      console.log(
        `${unlisted} files have no duration in scripts/test-durations.json: cp .jest-durations.json scripts/test-durations.json`,
      );
  }
} catch {
  failed = 1;
}
if (jest.status !== 0 && failed === 0) failed = 1;
if (!checked) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
