#!/usr/bin/env node
// `pnpm start`: builds what is missing or stale, then runs Guichet (apps/api/dist/main.js) in
// this process, so Ctrl-C reaches it directly and PostgreSQL stops cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Runs a build step; when it fails, says so in French (its own errors are printed above). */
const step = (label, cmd, args, failed) => {
  console.log(`» ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return;
  if (r.error)
    console.error(
      `\n${failed} : ${r.error.code === 'ENOENT' ? `${cmd} est introuvable (installez-le ou ajoutez-le au PATH)` : r.error.message}.`,
    );
  else if (r.signal) console.error(`\n${label} interrompue (${r.signal}).`);
  else console.error(`\n${failed} (erreurs ci-dessus) : corrigez-les, puis relancez « pnpm start ».`);
  process.exit(r.status || 1);
};

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

// tsc -b is incremental: nearly free when nothing changed.
step(
  'Compilation de l’API',
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'apps/api'],
  'La compilation de l’API a échoué',
);
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
