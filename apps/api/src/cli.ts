/**
 * `pnpm guichet <command>`: installs and recovers a town from the server's shell.
 *
 *   setup         --name --slug --admin-name --admin-email --admin-password [--address --phone --email --siret]
 *   create-admin  --slug --email --password [--name]
 *
 * With DATABASE_URL it works on that server; otherwise on the embedded PostgreSQL of ./.data
 * (DATA_DIR), started and stopped here, or the one a running `pnpm start` holds. Migrations run
 * first. Exit code 0 on success, 1 with a French reason otherwise.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createAdminSchema, describeIssues, setupSchema } from '@guichet/contracts';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import { migrate } from './app.factory';
import { ConfigError } from './config';
import { Database } from './common/database.service';
import { AppError } from './common/errors';
import { dataSourceOptions } from './database/data-source';
import { embeddedDataDir, startEmbeddedDatabase } from './database/embedded-database';
import { EmbeddedPostgresError, runningEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres';
import { AuditRepository } from './infra/audit/audit.repository';
import { AgentDirectory } from './modules/agents/agent-directory.service';
import { DirectoryRepository } from './modules/agents/directory.repository';
import { OrganizationRepository } from './modules/organizations/organization.repository';
import { SetupService } from './modules/organizations/setup.service';

const USAGE = `Usage :
  pnpm guichet setup --name "<commune>" --slug <identifiant> --admin-name "<nom>" --admin-email <e-mail> --admin-password <mot de passe>
        [--address "<adresse postale>"] [--phone <téléphone>] [--email <e-mail de la mairie>] [--siret <14 chiffres>]
      Première installation : crée l'organisation et son premier administrateur (base vide uniquement).
  pnpm guichet create-admin --slug <identifiant> --email <e-mail> --password <mot de passe> [--name "<nom>"]
      Ajoute un administrateur à une organisation existante (administrateur perdu, par exemple).
Base de données : DATABASE_URL si défini, sinon PostgreSQL embarqué dans ./.data (DATA_DIR).`;

class UsageError extends Error {}

const OPTIONS = {
  name: { type: 'string' },
  slug: { type: 'string' },
  'admin-name': { type: 'string' },
  'admin-email': { type: 'string' },
  'admin-password': { type: 'string' },
  address: { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
  siret: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Field paths of the schemas, as the options that fill them. */
const FLAGS: Record<string, Record<string, string>> = {
  setup: {
    'organization.': '--',
    'admin.name': '--admin-name',
    'admin.email': '--admin-email',
    'admin.password': '--admin-password',
  },
  'create-admin': { 'admin.': '--', slug: '--slug' },
};

function parse<S extends z.ZodType>(command: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = describeIssues(result.error).map((line) => {
    const [path, rest] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':'))];
    const prefix = Object.keys(FLAGS[command]!).find((p) => path === p || (p.endsWith('.') && path.startsWith(p)));
    return prefix ? `${FLAGS[command]![prefix]}${path === prefix ? '' : path.slice(prefix.length)}${rest}` : line;
  });
  throw new UsageError(`Saisie invalide :\n  - ${lines.join('\n  - ')}`);
}

/** The connection string to work on, and how to let go of what was started for it. */
async function openDatabase(env: NodeJS.ProcessEnv): Promise<{ url: string; close(): Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, close: async () => undefined };
  const running = runningEmbeddedPostgres(embeddedDataDir(env));
  if (running) return { url: running.url('guichet'), close: async () => undefined };
  const { pg, url }: { pg: EmbeddedPostgresHandle; url: string } = await startEmbeddedDatabase(env, (m) => console.log(m));
  return { url, close: () => pg.stop() };
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return USAGE;
  if (command !== 'setup' && command !== 'create-admin') throw new UsageError(`Commande inconnue : ${command}\n\n${USAGE}`);
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    values = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return USAGE;
  const input =
    command === 'setup'
      ? {
          kind: 'setup' as const,
          value: parse(command, setupSchema, {
            organization: {
              name: values.name,
              slug: values.slug,
              address: values.address,
              phone: values.phone,
              email: values.email,
              siret: values.siret,
            },
            admin: { name: values['admin-name'], email: values['admin-email'], password: values['admin-password'] },
          }),
        }
      : {
          kind: 'create-admin' as const,
          value: parse(command, createAdminSchema, {
            slug: values.slug,
            admin: {
              name: values.name ?? values.email?.split('@')[0],
              email: values.email,
              password: values.password,
            },
          }),
        };

  const database = await openDatabase(env);
  try {
    const dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const db = new Database(dataSource);
      const setup = new SetupService(
        db,
        new OrganizationRepository(db),
        new AgentDirectory(new DirectoryRepository(db)),
        new AuditRepository(db),
      );
      if (input.kind === 'setup') {
        const { organization } = await setup.setup(input.value);
        return (
          `Organisation « ${organization.name} » (${organization.slug}) créée, avec son administrateur ${input.value.admin.email}.\n` +
          'Lancez Guichet (« pnpm start ») et connectez-vous avec cette adresse et ce mot de passe.'
        );
      }
      await setup.createAdmin(input.value);
      return `Administrateur ${input.value.admin.email} ajouté à l'organisation ${input.value.slug}.`;
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.close();
  }
}

function describe(e: unknown, env: NodeJS.ProcessEnv): string {
  if (e instanceof UsageError || e instanceof ConfigError || e instanceof EmbeddedPostgresError) return e.message;
  if (e instanceof AppError) return e.message.charAt(0).toUpperCase() + e.message.slice(1);
  const err = e as (Error & { code?: string }) | undefined;
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '3D000'].includes(err?.code ?? '') && env.DATABASE_URL) {
    return `PostgreSQL injoignable avec DATABASE_URL : ${err!.message}. Vérifiez l'adresse, le mot de passe et que le serveur tourne.`;
  }
  return e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
}

run(process.argv.slice(2), process.env).then(
  (message) => {
    console.log(message);
    process.exit(0);
  },
  (e: unknown) => {
    console.error(describe(e, process.env));
    process.exit(1);
  },
);
