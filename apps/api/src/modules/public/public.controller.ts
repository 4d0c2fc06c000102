import { Body, Controller, Get, Param, Post, Query, Req, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  LIMITS,
  publicReplySchema,
  publicRequestSchema,
  type PublicOrganizationDto,
  type PublicRequestCreated,
  type PublicRequestDto,
} from '@guichet/contracts';
import type { Request, Response } from 'express';
import { attachmentDisposition } from '../../common/content-disposition';
import { z } from 'zod';
import { Public } from '../../common/auth-agent';
import { parseOr400 } from '../../common/zod.pipe';
import { PublicService, type PublicFile, type UploadedFile } from './public.service';

/**
 * How the public forms take files, as JSON/multipart here and as HTML form posts (citizen-pages.ts).
 * Browsers send file names as raw UTF-8 bytes (busboy would read them as latin1: "dÃ©cÃ¨s").
 * `files` counts every file of the request, so one over the limit is "too many files", not an
 * "unexpected field"; errors get their French reason in HttpExceptionFilter.
 */
export const PUBLIC_UPLOAD_OPTIONS = {
  defParamCharset: 'utf8',
  limits: { fileSize: LIMITS.attachmentBytes, files: LIMITS.attachmentsPerRequest, fields: 20, fieldSize: 64 * 1024 },
};

/** A file to a citizen or a provider: a download, never rendered as a page of ours. */
function sendFile(res: Response, f: PublicFile): void {
  res.setHeader('Content-Type', f.contentType);
  res.setHeader('Content-Length', String(f.content.length));
  res.setHeader('Content-Disposition', attachmentDisposition(f.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, no-store');
  res.send(f.content);
}

const files = () => FilesInterceptor('attachments', LIMITS.attachmentsPerRequest, PUBLIC_UPLOAD_OPTIONS);

@ApiTags('public (citoyens)')
@Public()
@Controller('public')
export class PublicController {
  constructor(private readonly service: PublicService) {}

  @Get('organizations/:slug')
  describe(@Param('slug') slug: string): Promise<PublicOrganizationDto> {
    return this.service.describe(slug);
  }

  /**
   * The town's logo: an image of a checked type (PNG, JPEG, WebP), never a page. Its address
   * carries `v`, the start of its hash: the same address always names the same bytes.
   */
  @Get('organizations/:slug/logo')
  async logo(@Param('slug') slug: string, @Query('v') version: unknown, @Res() res: Response): Promise<void> {
    const logo = await this.service.logo(slug);
    res.setHeader('Content-Type', logo.contentType);
    res.setHeader('Content-Length', String(logo.content.length));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('ETag', `"${logo.sha256}"`);
    const current = typeof version === 'string' && version.length >= 8 && logo.sha256.startsWith(version);
    res.setHeader('Cache-Control', current ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    res.send(logo.content);
  }

  @Post('organizations/:slug/requests')
  @UseInterceptors(files())
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: z.toJSONSchema(publicRequestSchema, { io: 'input' }) as object })
  create(
    @Param('slug') slug: string,
    @Body() body: unknown,
    @UploadedFiles() uploaded: UploadedFile[] | undefined,
    @Req() req: Request,
  ): Promise<PublicRequestCreated> {
    return this.service.createRequest(slug, parseOr400(publicRequestSchema, body), uploaded ?? [], req.ip ?? 'unknown');
  }

  @Get('requests/:reference')
  get(@Param('reference') reference: string, @Query('token') token: unknown): Promise<PublicRequestDto> {
    return this.service.getRequest(reference, token);
  }

  @Post('requests/:reference')
  @UseInterceptors(files())
  @ApiBody({ schema: z.toJSONSchema(publicReplySchema, { io: 'input' }) as object })
  reply(
    @Param('reference') reference: string,
    @Query('token') token: unknown,
    @Body() body: unknown,
    @UploadedFiles() uploaded: UploadedFile[] | undefined,
    @Req() req: Request,
  ): Promise<PublicRequestDto> {
    return this.service.reply(reference, token, parseOr400(publicReplySchema, body), uploaded ?? [], req.ip ?? 'unknown');
  }

  /** A file of the request's exchange, for the holder of the tracking link. */
  @Get('requests/:reference/attachments/:id')
  async requestAttachment(
    @Param('reference') reference: string,
    @Param('id') id: string,
    @Query('token') token: unknown,
    @Res() res: Response,
  ): Promise<void> {
    sendFile(res, await this.service.requestAttachment(reference, token, id));
  }

  /** A reply's file behind a signed, expiring link (Twilio's MediaUrl). */
  @Get('media/:id')
  async media(
    @Param('id') id: string,
    @Query('expires') expires: unknown,
    @Query('sig') sig: unknown,
    @Res() res: Response,
  ): Promise<void> {
    sendFile(res, await this.service.signedMedia(id, expires, sig));
  }
}
