import { Global, Module } from '@nestjs/common';
import { BlobStore } from './blob-store';
import { BlobRepository } from './blob.repository';
import { OrphanBlobs } from './orphan-blobs.service';

/** The content-addressed blob store, published to the features that store files, and its sweep. */
@Global()
@Module({ providers: [BlobStore, BlobRepository, OrphanBlobs], exports: [BlobStore, OrphanBlobs] })
export class BlobsModule {}
