import { Body, Controller, Get, HttpCode, Param, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { registerLetterSchema, type ConversationDto, type MessageDto, type RegisterLetterInput } from '@guichet/contracts';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import type { AgentUpload } from '../conversations/conversation.service';
import { LetterService, SCAN_BYTES } from './letter.service';

/** Letters (courrier papier): registered by agents, answered by printed letters they post. */
@ApiTags('courrier')
@ApiBearerAuth()
@Controller()
export class LetterController {
  constructor(private readonly letters: LetterService) {}

  /** A letter received at the town hall: multipart, its fields and its `scan` (PDF, JPEG or PNG). */
  @Post('letters')
  @UseInterceptors(
    FileInterceptor('scan', {
      defParamCharset: 'utf8',
      limits: { fileSize: SCAN_BYTES, files: 1, fields: 20, fieldSize: 128 * 1024 },
    }),
  )
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: z.toJSONSchema(registerLetterSchema, { io: 'input' }) as object })
  register(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(registerLetterSchema)) input: RegisterLetterInput,
    @UploadedFile() scan: AgentUpload | undefined,
  ): Promise<ConversationDto> {
    return this.letters.register(agent, input, scan);
  }

  /** The printable page of a letter of the town hall (no script: printed from the browser). */
  @Get('conversations/:id/messages/:messageId/letter')
  async print(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Param('messageId', new IdPipe('courrier')) messageId: string,
    @Res() res: Response,
  ): Promise<void> {
    const page = await this.letters.printable(agent, id, messageId);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.send(page);
  }

  /** The agent posted it: « envoyé par courrier ». */
  @Post('conversations/:id/messages/:messageId/posted')
  @HttpCode(200)
  posted(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Param('messageId', new IdPipe('courrier')) messageId: string,
  ): Promise<MessageDto> {
    return this.letters.markPosted(agent, id, messageId);
  }
}
