import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3BlobConfig } from '../../config';
import { blobKey, SHA256, type BlobBackend, type BlobFile, type StoredBlob } from './blob-backend';

const TMP_PREFIX = 'tmp/';

function notFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}

/**
 * Blobs in an S3-compatible bucket (AWS S3, Scaleway, OVHcloud, MinIO, Garage) through the
 * official client: key `<prefix>ab/cd/<sha256>`, optional server-side encryption on every write.
 * Streams are uploaded in parts (lib-storage) under a temporary key while hashed, then copied
 * to their content address: no file is ever whole in memory.
 */
export class S3BlobBackend implements BlobBackend {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly sse: { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string };

  constructor(config: S3BlobConfig) {
    this.s3 = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials:
        config.accessKeyId && config.secretAccessKey
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
    });
    this.bucket = config.bucket;
    this.prefix = config.prefix ?? '';
    this.sse = config.sse
      ? {
          ServerSideEncryption: config.sse as ServerSideEncryption,
          ...(config.sseKmsKeyId ? { SSEKMSKeyId: config.sseKmsKeyId } : {}),
        }
      : {};
  }

  private key(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('invalid blob id');
    return this.prefix + blobKey(sha256);
  }

  /**
   * Whether the blob is there; if so its date is refreshed (copied onto itself), so that the
   * sweep never removes a blob a request is about to use.
   */
  private async touch(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: key,
        CopySource: `${this.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
        MetadataDirective: 'REPLACE',
        Metadata: { touched: new Date().toISOString() },
        ...this.sse,
      }),
    );
    return true;
  }

  async put(content: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const key = this.key(sha256);
    const exists = await this.touch(key);
    if (!exists) {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: content,
          ContentLength: content.byteLength,
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          ...this.sse,
        }),
      );
    }
    return { sha256, size: content.byteLength, created: !exists };
  }

  async putStream(source: Readable): Promise<StoredBlob> {
    const hash = createHash('sha256');
    let size = 0;
    const body = new PassThrough();
    source.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    source.on('error', (e) => body.destroy(e));
    source.pipe(body);
    const tmp = `${this.prefix}${TMP_PREFIX}${randomUUID()}`;
    try {
      await new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key: tmp, Body: body, ...this.sse },
        queueSize: 2,
        partSize: 8 * 1024 * 1024,
      }).done();
      const sha256 = hash.digest('hex');
      const key = this.key(sha256);
      const exists = await this.touch(key);
      if (!exists) {
        await this.s3.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: key,
            CopySource: `${this.bucket}/${encodeURIComponent(tmp).replace(/%2F/g, '/')}`,
            ...this.sse,
          }),
        );
      }
      return { sha256, size, created: !exists };
    } finally {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmp })).catch(() => undefined);
    }
  }

  async get(sha256: string): Promise<Buffer> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async stream(sha256: string): Promise<Readable> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    return out.Body as Readable;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  }

  async remove(sha256: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
  }

  async removeFile(file: BlobFile): Promise<void> {
    if (!file.path.startsWith(this.prefix)) throw new Error('not a file of the blob store');
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: file.path }));
  }

  async modifiedAt(file: BlobFile): Promise<Date | null> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: file.path }));
      return head.LastModified ?? null;
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  /** Every object under the prefix: blobs, and temporary uploads a crash left (sha256 null). */
  async *files(): AsyncGenerator<BlobFile> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix || undefined, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const name = o.Key.slice(o.Key.lastIndexOf('/') + 1);
        yield { path: o.Key, sha256: SHA256.test(name) ? name : null, modifiedAt: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  close(): void {
    this.s3.destroy();
  }
}
