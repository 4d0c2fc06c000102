#!/usr/bin/env node
// `pnpm bench`: the API benchmarks (apps/api/bench), then the web app's (apps/web/bench), each
// run even when the other missed a target; the exit code is 1 when either did or failed.
//
//   pnpm bench [-- --api-only | --web-only] [API options, e.g. --only ingest --scale 0.01]
//
// The web bench runs last: it writes its own section of bench/RESULTS.md after the API's.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const apiOnly = args.includes('--api-only');
const webOnly = args.includes('--web-only');
const apiArgs = args.filter((a) => a !== '--api-only' && a !== '--web-only');

const steps = [];
if (!webOnly) steps.push(['api', ['--filter', '@guichet/api', 'bench', ...(apiArgs.length ? ['--', ...apiArgs] : [])]]);
if (!apiOnly) steps.push(['web', ['--filter', '@guichet/web', 'bench']]);

const outcomes = steps.map(([name, pnpmArgs]) => {
  const status = spawnSync('pnpm', pnpmArgs, { cwd: root, stdio: 'inherit' }).status ?? 1;
  return { name, status };
});

const failed = outcomes.filter((o) => o.status !== 0);
console.log(`\nbench: ${outcomes.map((o) => `${o.name} ${o.status === 0 ? 'ok' : `exit ${o.status}`}`).join(', ')}`);
process.exit(failed.length ? 1 : 0);
