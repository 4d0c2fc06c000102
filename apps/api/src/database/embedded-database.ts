import { join, resolve } from 'node:path';
import { ConfigError } from '../config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

/** The embedded PostgreSQL's port unless its data directory remembers another or it is taken. */
export const DEFAULT_PG_PORT = 54329;

export function embeddedPgPort(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`EMBEDDED_PG_PORT invalide : ${raw} (un numéro de port, de 1 à 65535)`);
  return port;
}

/** Where the embedded default keeps its PostgreSQL cluster (DATA_DIR, `./.data` by default). */
export const embeddedDataDir = (env: NodeJS.ProcessEnv) => join(resolve(env.DATA_DIR ?? '.data'), 'postgres');

/** The embedded default's PostgreSQL (`pnpm start`, `pnpm guichet`), started, with its `guichet` database. */
export async function startEmbeddedDatabase(
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<{ pg: EmbeddedPostgresHandle; url: string }> {
  const pg = await startEmbeddedPostgres({
    dataDir: embeddedDataDir(env),
    port: embeddedPgPort(env.EMBEDDED_PG_PORT),
    preferredPort: DEFAULT_PG_PORT,
    log,
  });
  try {
    await ensureDatabase(pg.url('postgres'), 'guichet');
  } catch (e) {
    await pg.stop();
    throw e;
  }
  return { pg, url: pg.url('guichet') };
}
