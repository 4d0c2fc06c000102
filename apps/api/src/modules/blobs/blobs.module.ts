import { Module } from '@nestjs/common';
import { BlobRepository } from './blob.repository';
import { OrphanBlobs } from './orphan-blobs.service';

/** The blob store itself is shared infrastructure (SharedModule); this module keeps it clean. */
@Module({ providers: [BlobRepository, OrphanBlobs], exports: [OrphanBlobs] })
export class BlobsModule {}
