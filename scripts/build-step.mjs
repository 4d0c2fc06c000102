// Build steps shared by `pnpm start` and `pnpm guichet`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a build step; when it fails, says so in French (its own errors are printed above). */
export const step = (label, cmd, args, failed, { quiet = false } = {}) => {
  if (!quiet) console.log(`» ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return;
  if (r.error)
    console.error(
      `\n${failed} : ${r.error.code === 'ENOENT' ? `${cmd} est introuvable (installez-le ou ajoutez-le au PATH)` : r.error.message}.`,
    );
  else if (r.signal) console.error(`\n${label} interrompue (${r.signal}).`);
  else console.error(`\n${failed} (erreurs ci-dessus) : corrigez-les, puis relancez.`);
  process.exit(r.status || 1);
};

/** tsc -b is incremental: nearly free when nothing changed. */
export const compileApi = (opts) =>
  step(
    'Compilation de l’API',
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'apps/api'],
    'La compilation de l’API a échoué',
    opts,
  );
