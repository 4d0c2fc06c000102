import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { MessageDto } from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import {
  commentAnswerSchema,
  hideCommentSchema,
  type CommentAnswerInput,
  type CommentContextDto,
  type HideCommentInput,
} from './meta-comment.dto';
import { MetaCommentService } from './meta-comment.service';

/** Facebook / Instagram comment actions on a conversation opened by a page comment. */
@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations/:id/meta')
export class MetaCommentController {
  constructor(private readonly service: MetaCommentService) {}

  @Get('comment')
  context(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('conversation')) id: string): Promise<CommentContextDto> {
    return this.service.context(agent, id);
  }

  @Post('comment-reply')
  @ApiBody({ schema: z.toJSONSchema(commentAnswerSchema) as object })
  commentReply(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(commentAnswerSchema)) input: CommentAnswerInput,
  ): Promise<MessageDto> {
    return this.service.answer(agent, id, input, 'comment-reply');
  }

  @Post('private-reply')
  @ApiBody({ schema: z.toJSONSchema(commentAnswerSchema) as object })
  privateReply(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(commentAnswerSchema)) input: CommentAnswerInput,
  ): Promise<MessageDto> {
    return this.service.answer(agent, id, input, 'private-reply');
  }

  @Post('hide-comment')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(hideCommentSchema, { io: 'input' }) as object })
  hide(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(hideCommentSchema)) input: HideCommentInput,
  ): Promise<CommentContextDto> {
    return this.service.hide(agent, id, input);
  }
}
