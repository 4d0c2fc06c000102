import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import type { LogLevel } from './common/logging';

export interface AppConfig {
  port: number;
  /** Unset: the embedded PostgreSQL under dataDir is used. */
  databaseUrl: string;
  redisUrl?: string;
  /** Signs session-free tokens (tracking links, reply-to addresses). */
  appSecret: string;
  /** 32 bytes, encrypts channel secrets at rest (AES-256-GCM). */
  encryptionKey: Buffer;
  dataDir: string;
  blobDir: string;
  /** BLOB_STORE=s3: blobs in this bucket instead of blobDir. */
  blobStore?: S3BlobConfig;
  publicUrl: string;
  webDistDir?: string;
  seedDemo: boolean;
  /** Workers (outbound sends, timers) run in this process. */
  runJobs: boolean;
  /** Durable domain-event jobs run at once by this process (DURABLE_JOBS_AT_ONCE; 1: one at a time). Default 4. */
  durableJobsAtOnce?: number;
  /** Outbound sends run at once by this process (OUTBOUND_SENDS_AT_ONCE; 1: one at a time). Default 4. */
  outboundSendsAtOnce?: number;
  /** Bulk sends (reminders, an event's change) per second, all organizations together (BULK_SENDS_PER_SECOND; 0: unpaced). Default 10. */
  bulkSendsPerSecond?: number;
  /** How often the reports' aggregates are folded in, in ms (REPORTS_FOLD_MS, 100–60000). Default 2000; 0: never (a test folds itself). */
  reportsFoldMs?: number;
  sessionTtlHours: number;
  logLevel: LogLevel;
  /** JSON lines (default), or coloured lines for a terminal (the embedded default on a TTY). */
  logFormat?: 'json' | 'pretty';
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /** Public request form: requests per IP per hour. */
  publicRequestsPerHour: number;
  /** Login limiter: wrong passwords per account and address before each further try waits (login-limiter.ts). */
  loginFailuresBeforeBackoff: number;
  /** Login limiter: wrong passwords per address, all accounts together, per 15 minutes before that address waits. */
  loginAddressFailuresPer15Min: number;
  /**
   * Sites allowed to embed the citizen request form (/demandes/…) in a frame, as CSP
   * frame-ancestors sources (e.g. `https://www.ville-exemple.fr`); empty: no site may.
   */
  formFrameAncestors?: string[];
  /** Express `trust proxy` (which client address rate limits see). Default: loopback. */
  trustProxy?: string;
  /** Named (server-side prepared) statements on the API's connections; default on. */
  preparedStatements?: boolean;
  /** Mailbox watchers; every field has a default. */
  email?: { maxAttachmentMb?: number; watcherRefreshMs?: number; pollIntervalMs?: number };
  /** GET /metrics (Prometheus); unset: on, on the API's port, unprotected. */
  metrics?: MetricsConfig;
  /**
   * Provider webhooks are acknowledged once stored in the inbox (webhook-inbox.ts), then processed:
   * `drain` false (WEBHOOK_DRAIN=0) leaves the processing to the other instances (an ingress-only
   * instance); `backlogLimit` (WEBHOOK_BACKLOG_LIMIT, default 5,000) is the stored backlog above
   * which providers that retry (Meta) are answered 503 with Retry-After.
   */
  webhooks?: { drain?: boolean; backlogLimit?: number };
}

export interface S3BlobConfig {
  kind: 's3';
  bucket: string;
  region: string;
  /** Unset: AWS. Scaleway `https://s3.fr-par.scw.cloud`, OVHcloud, MinIO, Garage: their URL. */
  endpoint?: string;
  forcePathStyle: boolean;
  /** Unset: the SDK's usual chain (environment, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  prefix?: string;
  /** Server-side encryption on every write: `AES256` or `aws:kms` (with sseKmsKeyId). */
  sse?: 'AES256' | 'aws:kms';
  sseKmsKeyId?: string;
}

export function blobStoreConfig(env: NodeJS.ProcessEnv): S3BlobConfig | undefined {
  const kind = env.BLOB_STORE || 'local';
  if (kind === 'local') return undefined;
  if (kind !== 's3') throw new ConfigError(`BLOB_STORE invalide : ${kind} (attendu : local ou s3)`);
  if (!env.S3_BUCKET) throw new ConfigError('S3_BUCKET est obligatoire avec BLOB_STORE=s3');
  const sse = env.S3_SSE || undefined;
  if (sse && sse !== 'AES256' && sse !== 'aws:kms')
    throw new ConfigError(`S3_SSE invalide : ${sse} (attendu : AES256 ou aws:kms)`);
  const endpoint = env.S3_ENDPOINT || undefined;
  return {
    kind: 's3',
    bucket: env.S3_BUCKET,
    region: env.S3_REGION || 'us-east-1',
    endpoint,
    // Most S3-compatible servers (MinIO, Garage) want the bucket in the path, AWS in the host name.
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === '1' : !!endpoint,
    accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    prefix: env.S3_PREFIX ? env.S3_PREFIX.replace(/\/?$/, '/') : undefined,
    sse: sse as S3BlobConfig['sse'],
    sseKmsKeyId: env.S3_SSE_KMS_KEY_ID || undefined,
  };
}

export interface MetricsConfig {
  /** Off only when METRICS=0. */
  enabled: boolean;
  /** METRICS_TOKEN: a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
  /** METRICS_PORT: /metrics is served on this port only (METRICS_HOST, default 127.0.0.1), not on the API's. */
  port?: number;
  host?: string;
}

function metricsConfig(env: NodeJS.ProcessEnv): MetricsConfig {
  const port = optionalNumber(env.METRICS_PORT);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new ConfigError(`METRICS_PORT invalide : ${env.METRICS_PORT}`);
  if (env.METRICS_TOKEN !== undefined && env.METRICS_TOKEN !== '' && env.METRICS_TOKEN.length < 16)
    throw new ConfigError('METRICS_TOKEN doit faire au moins 16 caractères');
  return { enabled: env.METRICS !== '0', token: env.METRICS_TOKEN || undefined, port, host: env.METRICS_HOST || undefined };
}

export const EMAIL_DEFAULTS = { maxAttachmentMb: 25, watcherRefreshMs: 2_000, pollIntervalMs: 60_000 };

const optionalNumber = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

export class ConfigError extends Error {}

/** Jobs a worker runs at once, unless the environment says otherwise (job-queue.ts `atOnce`). */
export const JOBS_AT_ONCE = 4;

/**
 * `DURABLE_JOBS_AT_ONCE`, `OUTBOUND_SENDS_AT_ONCE`: an integer from 1 to 8 (each running job may
 * hold one of the pool's 10 connections); undefined when unset.
 */
export function jobsAtOnce(env: NodeJS.ProcessEnv, name: 'DURABLE_JOBS_AT_ONCE' | 'OUTBOUND_SENDS_AT_ONCE'): number | undefined {
  const n = optionalNumber(env[name]);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1 || n > 8)
    throw new ConfigError(`${name} invalide : ${env[name]} (attendu : un entier de 1 à 8)`);
  return n;
}

/** Bulk sends per second of an installation unless BULK_SENDS_PER_SECOND says otherwise (job-queue.ts `paced`). */
export const BULK_SENDS_PER_SECOND = 10;

/** `BULK_SENDS_PER_SECOND`: a number from 0 (unpaced) to 1,000; undefined when unset. */
export function bulkSendsPerSecond(env: NodeJS.ProcessEnv): number | undefined {
  const n = optionalNumber(env.BULK_SENDS_PER_SECOND);
  if (n === undefined) return undefined;
  if (!Number.isFinite(n) || n < 0 || n > 1000)
    throw new ConfigError(
      `BULK_SENDS_PER_SECOND invalide : ${env.BULK_SENDS_PER_SECOND} (attendu : un nombre de 0 à 1000, 0 pour ne pas échelonner)`,
    );
  return n;
}

/** `REPORTS_FOLD_MS`: milliseconds from 100 to 60,000; undefined when unset. */
function reportsFoldMs(env: NodeJS.ProcessEnv): number | undefined {
  const n = optionalNumber(env.REPORTS_FOLD_MS);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 100 || n > 60_000)
    throw new ConfigError(`REPORTS_FOLD_MS invalide : ${env.REPORTS_FOLD_MS} (attendu : un entier de 100 à 60000)`);
  return n;
}

const LOG_LEVELS: LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export function decodeKey(raw: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('ENCRYPTION_KEY doit faire 32 octets (64 caractères hexadécimaux ou base64)');
  return key;
}

/**
 * Secrets of the embedded default: generated once and kept beside the data, so a restart
 * can still decrypt channel secrets and verify tracking links.
 */
function localSecrets(dataDir: string): { appSecret: string; encryptionKey: string } {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const secrets = { appSecret: randomBytes(32).toString('base64url'), encryptionKey: randomBytes(32).toString('hex') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** A CSP source naming a site: scheme, host (optionally `*.` for its subdomains), optional port. */
const FRAME_ANCESTOR = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;

function frameAncestors(raw: string | undefined): string[] {
  const list = (raw ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => s.replace(/\/$/, ''));
  const bad = list.filter((s) => !FRAME_ANCESTOR.test(s));
  if (bad.length) {
    throw new ConfigError(
      `FORM_FRAME_ANCESTORS : origine invalide ${bad.join(', ')} (attendu : https://www.ville-exemple.fr, séparées par des espaces)`,
    );
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, embeddedDatabaseUrl?: string): AppConfig {
  const dataDir = resolve(env.DATA_DIR ?? '.data');
  const embedded = !env.DATABASE_URL;
  const databaseUrl = env.DATABASE_URL ?? embeddedDatabaseUrl;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL manquant');
  let appSecret = env.APP_SECRET;
  let encryptionKey = env.ENCRYPTION_KEY;
  if (!appSecret || !encryptionKey) {
    if (!embedded) throw new ConfigError('APP_SECRET et ENCRYPTION_KEY sont obligatoires avec DATABASE_URL');
    const local = localSecrets(dataDir);
    appSecret ??= local.appSecret;
    encryptionKey ??= local.encryptionKey;
  }
  if (appSecret.length < 16) throw new ConfigError('APP_SECRET doit faire au moins 16 caractères');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT invalide : ${env.PORT}`);
  return {
    port,
    databaseUrl,
    redisUrl: env.REDIS_URL || undefined,
    appSecret,
    encryptionKey: decodeKey(encryptionKey),
    dataDir,
    blobDir: resolve(env.BLOB_DIR ?? join(dataDir, 'blobs')),
    blobStore: blobStoreConfig(env),
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    webDistDir: env.WEB_DIST_DIR,
    seedDemo: env.SEED_DEMO === '1' || (embedded && env.SEED_DEMO !== '0'),
    runJobs: env.RUN_JOBS !== '0',
    durableJobsAtOnce: jobsAtOnce(env, 'DURABLE_JOBS_AT_ONCE'),
    outboundSendsAtOnce: jobsAtOnce(env, 'OUTBOUND_SENDS_AT_ONCE'),
    bulkSendsPerSecond: bulkSendsPerSecond(env),
    reportsFoldMs: reportsFoldMs(env),
    sessionTtlHours: Number(env.SESSION_TTL_HOURS ?? 12),
    logLevel: LOG_LEVELS.includes(env.LOG_LEVEL as LogLevel) ? (env.LOG_LEVEL as LogLevel) : 'info',
    logFormat:
      env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty'
        ? env.LOG_FORMAT
        : embedded && process.stdout.isTTY
          ? 'pretty'
          : 'json',
    publicRequestsPerHour: Number(env.PUBLIC_REQUESTS_PER_HOUR ?? 20),
    loginFailuresBeforeBackoff: Number(env.LOGIN_FAILURES_BEFORE_BACKOFF ?? 10),
    loginAddressFailuresPer15Min: Number(env.LOGIN_ADDRESS_FAILURES_PER_15MIN ?? 100),
    formFrameAncestors: frameAncestors(env.FORM_FRAME_ANCESTORS),
    trustProxy: env.TRUST_PROXY,
    preparedStatements: env.PG_PREPARED_STATEMENTS !== '0',
    email: {
      maxAttachmentMb: optionalNumber(env.EMAIL_MAX_ATTACHMENT_MB),
      watcherRefreshMs: optionalNumber(env.EMAIL_WATCHER_REFRESH_MS),
      pollIntervalMs: optionalNumber(env.EMAIL_POLL_INTERVAL_MS),
    },
    metrics: metricsConfig(env),
    webhooks: { drain: env.WEBHOOK_DRAIN !== '0', backlogLimit: optionalNumber(env.WEBHOOK_BACKLOG_LIMIT) },
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
