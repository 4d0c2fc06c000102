import type { DataSource } from 'typeorm';

/**
 * Migrations run under an advisory lock: several instances starting together apply them once.
 * A module of its own so `pnpm guichet` runs them without loading the application (NestJS,
 * Swagger, the HTTP stack): the CLI's start took ~3 CPU-s through app.factory.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtextextended('guichet:migrations', 0))`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtextextended('guichet:migrations', 0))`).catch(() => undefined);
    await runner.release();
  }
}
