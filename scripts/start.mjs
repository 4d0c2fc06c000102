#!/usr/bin/env node
// `pnpm start`: builds what is missing or stale, then runs Guichet (apps/api/dist/main.js) in
// this process, so Ctrl-C reaches it directly and PostgreSQL stops cleanly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileApi, root, step } from './build-step.mjs';

/** Newest modification time under a directory (skipping build outputs and dependencies). */
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist'].includes(entry.name)) continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

compileApi();
const webIndex = join(root, 'apps/web/dist/index.html');
const webSources = Math.max(newest(join(root, 'apps/web')), newest(join(root, 'libs/contracts/src')));
if (!existsSync(webIndex) || statSync(webIndex).mtimeMs < webSources) {
  step(
    'Construction de l’application web',
    'pnpm',
    ['--filter', '@guichet/web', 'build'],
    'La construction de l’application web a échoué',
  );
}
createRequire(import.meta.url)(join(root, 'apps/api/dist/main.js'));
