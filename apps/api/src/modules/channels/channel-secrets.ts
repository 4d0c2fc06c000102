import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SECRET_FIELDS, type ChannelKind } from '@guichet/contracts';

type Json = Record<string, unknown>;

function getPath(o: Json, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);
}

function setPath(o: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Json;
  }
  if (value === undefined) delete cur[keys[keys.length - 1]!];
  else cur[keys[keys.length - 1]!] = value;
}

/** Splits a validated config into its public part and its secret fields (by dotted path). */
export function splitSecrets(kind: ChannelKind, config: Json): { publicConfig: Json; secrets: Json } {
  const publicConfig = structuredClone(config);
  const secrets: Json = {};
  for (const path of SECRET_FIELDS[kind]) {
    const v = getPath(config, path);
    if (v !== undefined) secrets[path] = v;
    setPath(publicConfig, path, undefined);
  }
  return { publicConfig, secrets };
}

export function mergeSecrets(publicConfig: Json, secrets: Json): Json {
  const out = structuredClone(publicConfig);
  for (const [path, v] of Object.entries(secrets)) setPath(out, path, v);
  return out;
}

/** AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` in base64url; the channel id is bound as AAD. */
export function encryptSecrets(key: Buffer, channelId: string, secrets: Json): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(channelId));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptSecrets(key: Buffer, channelId: string, sealed: string | null): Json {
  if (!sealed) return {};
  const [v, iv, tag, data] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || !data) throw new Error('unknown secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(channelId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8'));
}
