/**
 * `pnpm guichet <command>`: installs and recovers a town from the server's shell.
 *
 *   setup         --name --slug --admin-name --admin-email --admin-password [--address --phone --email --siret]
 *   create-admin  --slug --email --password [--name]
 *   create-platform-admin --slug --email [--password --name]
 *   migrate-blobs                (BLOB_STORE=s3 …: copies the local blobs into the bucket)
 *   rotate-encryption-key        (NEW_ENCRYPTION_KEY: re-encrypts every stored secret)
 *
 * With DATABASE_URL it works on that server; otherwise on the embedded PostgreSQL of ./.data
 * (DATA_DIR), started and stopped here, or the one a running `pnpm start` holds. Migrations run
 * first. Exit code 0 on success, 1 with a French reason otherwise.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createAdminSchema, createPlatformAdminSchema, describeIssues, setupSchema } from '@guichet/contracts';
import { DataSource } from 'typeorm';
import type { z } from 'zod';
import { blobStoreConfig, ConfigError, decodeKey } from './config';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { KeyRotationRepository } from './modules/channels/key-rotation.repository';
import { rotateEncryptionKey } from './modules/channels/key-rotation';
import { LocalBlobBackend } from './modules/blobs/blob-store';
import { migrateBlobs } from './modules/blobs/migrate-blobs';
import { S3BlobBackend } from './modules/blobs/s3-blob-backend';
import { join, resolve } from 'node:path';
import { Database } from './common/database';
import { AppError } from './common/errors';
import { dataSourceOptions } from './database/data-source';
import { migrate } from './database/migrate';
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
  pnpm guichet create-platform-admin --slug <identifiant> --email <e-mail> [--password <mot de passe>] [--name "<nom>"]
      Nomme un administrateur de la plateforme (il crée les autres communes hébergées et en voit la liste,
      sans accès à leurs usagers ni à leurs conversations) : l'administrateur de cette organisation qui a
      cette adresse, ou un nouvel administrateur créé avec --password. La première installation en nomme un.
  BLOB_STORE=s3 S3_BUCKET=… pnpm guichet migrate-blobs
      Copie une fois les pièces jointes du dossier local (BLOB_DIR) dans le bucket S3 configuré ;
      relançable (ce qui est déjà copié est sauté), le dossier local n'est pas modifié.
  NEW_ENCRYPTION_KEY=<nouvelle clé> pnpm guichet rotate-encryption-key
      Rechiffre avec la nouvelle clé tous les secrets stockés (canaux, fournisseurs de connexion,
      messagerie de la commune, sessions OIDC), en une transaction ; ENCRYPTION_KEY donne la clé
      actuelle (.data/secrets.json pour la version embarquée, mis à jour). Redémarrez ensuite
      chaque instance avec la nouvelle clé.
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
  'create-platform-admin': { 'admin.': '--', slug: '--slug' },
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

/** `work` on the migrated database (DATABASE_URL, or the embedded one started for it). */
async function withDatabase<T>(env: NodeJS.ProcessEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(env);
  try {
    const dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      return await work(new Database(dataSource));
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.close();
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return USAGE;
  if (command === 'migrate-blobs') return migrateLocalBlobs(env);
  if (command === 'rotate-encryption-key') return rotateKey(env);
  if (command !== 'setup' && command !== 'create-admin' && command !== 'create-platform-admin')
    throw new UsageError(`Commande inconnue : ${command}\n\n${USAGE}`);
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
      : command === 'create-platform-admin'
        ? {
            kind: 'create-platform-admin' as const,
            value: parse(command, createPlatformAdminSchema, {
              slug: values.slug,
              admin: { name: values.name ?? values.email?.split('@')[0], email: values.email, password: values.password },
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

  return withDatabase(env, async (db) => {
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
    if (input.kind === 'create-platform-admin') {
      const { created } = await setup.createPlatformAdmin(input.value);
      return created
        ? `Administrateur ${input.value.admin.email} créé dans l'organisation ${input.value.slug}, administrateur de la plateforme.`
        : `${input.value.admin.email} (${input.value.slug}) est désormais administrateur de la plateforme.`;
    }
    await setup.createAdmin(input.value);
    return `Administrateur ${input.value.admin.email} ajouté à l'organisation ${input.value.slug}.`;
  });
}

/** `rotate-encryption-key`: every sealed secret from ENCRYPTION_KEY to NEW_ENCRYPTION_KEY. */
async function rotateKey(env: NodeJS.ProcessEnv): Promise<string> {
  if (!env.NEW_ENCRYPTION_KEY) throw new UsageError(`NEW_ENCRYPTION_KEY manquant (openssl rand -hex 32).\n\n${USAGE}`);
  const newKey = decodeKey(env.NEW_ENCRYPTION_KEY);
  const embedded = !env.DATABASE_URL;
  const secretsFile = join(embeddedDataDir(env), 'secrets.json');
  let current = env.ENCRYPTION_KEY;
  if (!current && embedded && existsSync(secretsFile))
    current = (JSON.parse(readFileSync(secretsFile, 'utf8')) as { encryptionKey: string }).encryptionKey;
  if (!current) throw new UsageError(`ENCRYPTION_KEY (la clé actuelle) manquant.\n\n${USAGE}`);
  return withDatabase(env, async (db) => {
    const { counts } = await rotateEncryptionKey(new KeyRotationRepository(db), decodeKey(current), newKey);
    if (embedded && !env.ENCRYPTION_KEY && existsSync(secretsFile)) {
      const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
      writeFileSync(secretsFile, JSON.stringify({ ...secrets, encryptionKey: env.NEW_ENCRYPTION_KEY }, null, 2), {
        mode: 0o600,
      });
    }
    return (
      `Secrets rechiffrés avec la nouvelle clé : ${counts.channel} canaux, ${counts.oidc_provider} fournisseurs de connexion, ` +
      `${counts.organization} messageries de commune, ${counts.agent_session} sessions OIDC.\n` +
      (embedded && !env.ENCRYPTION_KEY
        ? `${secretsFile} porte la nouvelle clé.`
        : 'Redémarrez maintenant chaque instance avec ENCRYPTION_KEY = la nouvelle clé.')
    );
  });
}

/** `migrate-blobs`: the local directory's blobs into the bucket BLOB_STORE=s3 names. */
async function migrateLocalBlobs(env: NodeJS.ProcessEnv): Promise<string> {
  const target = blobStoreConfig(env);
  if (!target)
    throw new UsageError(
      `migrate-blobs copie vers un bucket : définissez BLOB_STORE=s3 et S3_BUCKET (et S3_ENDPOINT…).\n\n${USAGE}`,
    );
  const dir = resolve(env.BLOB_DIR ?? join(resolve(env.DATA_DIR ?? '.data'), 'blobs'));
  const s3 = new S3BlobBackend(target);
  try {
    const r = await migrateBlobs(new LocalBlobBackend(dir), s3, (n) => n % 500 === 0 && console.log(`  ${n} fichiers vus…`));
    return (
      `Pièces jointes de ${dir} copiées dans le bucket ${target.bucket} : ${r.copied} copiées (${r.bytes} octets), ${r.alreadyThere} déjà présentes.\n` +
      'Démarrez Guichet avec BLOB_STORE=s3 ; le dossier local peut être archivé puis supprimé.'
    );
  } finally {
    s3.close();
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
