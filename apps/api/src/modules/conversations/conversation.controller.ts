import { Body, Controller, Get, Param, Patch, Post, Query, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  transferToAdministrationSchema,
  type AdministrationTransferDto,
  type TransferToAdministrationInput,
  LIMITS,
  createMessageSchema,
  listConversationsQuerySchema,
  startConversationSchema,
  type StartConversationInput,
  pageQuerySchema,
  openedQuerySchema,
  updateConversationSchema,
  type ConversationCountsDto,
  type ConversationDto,
  type ConversationOpenedDto,
  type CreateMessageInput,
  type MessageDto,
  type Page,
  type UpdateConversationInput,
  type ReplyChannelDto,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { attachmentDisposition } from '../../common/content-disposition';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { AdministrationTransfers } from './administration-transfer.service';
import { ConversationService, type AgentUpload } from './conversation.service';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationController {
  constructor(
    private readonly conversations: ConversationService,
    private readonly transfers: AdministrationTransfers,
  ) {}

  @Get()
  list(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(listConversationsQuerySchema)) query: z.infer<typeof listConversationsQuerySchema>,
  ): Promise<Page<ConversationDto>> {
    return this.conversations.list(agent, query);
  }

  /** An agent writes first, by e-mail, SMS or WhatsApp. */
  @Post()
  @ApiBody({ schema: z.toJSONSchema(startConversationSchema) as object })
  start(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(startConversationSchema)) input: StartConversationInput,
  ): Promise<{ conversation: ConversationDto; message: MessageDto }> {
    return this.conversations.start(agent, input);
  }

  /** Declared before `:id` so the path is not taken for an id. */
  @Get('counts')
  counts(@CurrentAgent() agent: AuthAgent): Promise<ConversationCountsDto> {
    return this.conversations.counts(agent);
  }

  @Get(':id')
  get(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('conversation')) id: string): Promise<ConversationDto> {
    return this.conversations.get(agent, id);
  }

  /** The file and its latest messages, as the agent app opens it: one read, one access record. */
  @Get(':id/opened')
  opened(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Query(new ZodPipe(openedQuerySchema)) query: z.infer<typeof openedQuerySchema>,
  ): Promise<ConversationOpenedDto> {
    return this.conversations.opened(agent, id, query.limit);
  }

  /** Channels reaching the citizen besides the thread's (the e-mail or phone of a web form request). */
  @Get(':id/reply-channels')
  replyChannels(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
  ): Promise<ReplyChannelDto[]> {
    return this.conversations.replyChannels(agent, id);
  }

  @Get(':id/messages')
  messages(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Query(new ZodPipe(pageQuerySchema)) page: z.infer<typeof pageQuerySchema>,
  ): Promise<Page<MessageDto>> {
    return this.conversations.messagesPage(agent, id, page.limit, page.cursor);
  }

  /**
   * A reply or a note: JSON, or multipart/form-data with its files in `attachments` (what each
   * channel takes is outboundFilesProblem's; multer's own limits answer in French too).
   */
  @Post(':id/messages')
  @UseInterceptors(
    FilesInterceptor('attachments', LIMITS.attachmentsPerRequest, {
      defParamCharset: 'utf8',
      limits: { fileSize: LIMITS.attachmentBytes, files: LIMITS.attachmentsPerRequest, fields: 10, fieldSize: 128 * 1024 },
    }),
  )
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ schema: z.toJSONSchema(createMessageSchema, { io: 'input' }) as object })
  reply(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(createMessageSchema)) input: CreateMessageInput,
    @UploadedFiles() files: AgentUpload[] | undefined,
  ): Promise<MessageDto> {
    return this.conversations.createMessage(agent, id, input, files ?? []);
  }

  /** Sends a failed reply again. */
  @Post(':id/messages/:messageId/retry')
  retry(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Param('messageId', new IdPipe('message')) messageId: string,
  ): Promise<MessageDto> {
    return this.conversations.retryMessage(agent, id, messageId);
  }

  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateConversationSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(updateConversationSchema)) input: UpdateConversationInput,
  ): Promise<ConversationDto> {
    return this.conversations.update(agent, id, input);
  }

  /**
   * CRPA L114-2: forwards the request to the competent administration by e-mail (the
   * organization's outgoing mail), tells the citizen on their channel, closes the file as « transmise ».
   */
  @Post(':id/transfer-administration')
  @ApiBody({ schema: z.toJSONSchema(transferToAdministrationSchema, { io: 'input' }) as object })
  transferToAdministration(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(transferToAdministrationSchema)) input: TransferToAdministrationInput,
  ): Promise<AdministrationTransferDto> {
    return this.transfers.transfer(agent, id, input);
  }

  /**
   * The file sent to the competent administration at the latest transfer (L114-2): one RFC 822
   * message (.eml) with the exchange and the citizen's files, to open in any mail program; a
   * download, audited. 404 when the request was never transferred.
   */
  @Get(':id/transfer-administration/file')
  @ApiProduces('message/rfc822')
  async transferredFile(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.transfers.transferredFile(agent, id);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.content.length));
    res.setHeader('Content-Disposition', attachmentDisposition(file.fileName));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.end(file.content);
  }
}
