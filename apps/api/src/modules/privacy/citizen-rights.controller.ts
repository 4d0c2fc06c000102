import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ContactErasureDto } from '@guichet/contracts';
import type { Response } from 'express';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe } from '../../common/zod.pipe';
import { CitizenRightsService } from './citizen-rights.service';

@ApiTags('données personnelles')
@ApiBearerAuth()
@Controller('contacts')
export class CitizenRightsController {
  constructor(private readonly rights: CitizenRightsService) {}

  /** Everything held on the citizen, as a ZIP (donnees.json, index.html, attachments). */
  @Post(':id/export')
  @Roles('admin', 'supervisor')
  async export(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const { fileName, zip } = await this.rights.export(agent, id);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(zip.byteLength));
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
  }

  /** Erasure now, except the conversations a legal hold keeps (returned with the reason). */
  @Post(':id/anonymize')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  anonymize(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('citoyen')) id: string): Promise<ContactErasureDto> {
    return this.rights.erase(agent, id);
  }
}
