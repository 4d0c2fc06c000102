import { Global, Module } from '@nestjs/common';
import { SignatureController } from './signature.controller';
import { SignatureRepository } from './signature.repository';
import { SignatureService } from './signature.service';

/** L111-2: the agent's identity on replies. Global: the reply paths sign through SignatureService. */
@Global()
@Module({
  controllers: [SignatureController],
  providers: [SignatureRepository, SignatureService],
  exports: [SignatureService],
})
export class SignaturesModule {}
