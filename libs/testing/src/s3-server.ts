import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver: an S3-compatible HTTP server written in Node (no MinIO, Garage nor moto installs here).
import type S3rver from 's3rver';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Its files on disk (one directory per bucket). */
  directory: string;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server on a free loopback port (s3rver: S3's REST API over HTTP with
 * signature V4 checks, multipart uploads, copies, ListObjectsV2), one bucket, its files in a
 * temporary directory removed on close.
 */
export async function startS3Server(bucket = 'guichet-test'): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'guichet-s3-'));
  // Loaded here, by the one test that starts it: every test file imports this package (s3rver and
  // its Koa cost each of them about 0.6 CPU-s to load).
  const S3rverServer = require('s3rver') as typeof S3rver;
  const server = new S3rverServer({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
    vhostBuckets: false,
  });
  const { port } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
