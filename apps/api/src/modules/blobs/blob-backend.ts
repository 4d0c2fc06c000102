import type { Readable } from 'node:stream';

export const SHA256 = /^[0-9a-f]{64}$/;

/** Where a blob lives in a store: `ab/cd/<sha256>` (a directory tree, or object keys). */
export const blobKey = (sha256: string) => `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

export interface StoredBlob {
  sha256: string;
  size: number;
  /** Whether this call wrote the bytes (false: they were there already). */
  created: boolean;
}

/** One place bytes are kept: the local directory (embedded default) or an S3-compatible bucket. */
export interface BlobBackend {
  put(content: Uint8Array): Promise<StoredBlob>;
  /** Stores a stream, never holding it whole in memory; hashed as it goes. */
  putStream(source: Readable): Promise<StoredBlob>;
  get(sha256: string): Promise<Buffer>;
  /** The bytes as a stream (downloads never hold a file whole in memory). */
  stream(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
  removeFile(file: BlobFile): Promise<void>;
  modifiedAt(file: BlobFile): Promise<Date | null>;
  files(): AsyncGenerator<BlobFile>;
  close?(): void;
}

/** A file of the store as the sweep sees it: a blob (`sha256`) or a temporary file left by a crash. */
export interface BlobFile {
  path: string;
  sha256: string | null;
  modifiedAt: Date;
}
