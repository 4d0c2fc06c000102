import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createCannedReplySchema,
  listCannedRepliesQuerySchema,
  renderCannedReplySchema,
  updateCannedReplySchema,
  type CannedReplyDto,
  type CreateCannedReplyInput,
  type ListCannedRepliesQuery,
  type RenderCannedReplyInput,
  type UpdateCannedReplyInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { CannedReplyService } from './canned-reply.service';

@ApiTags('réponses types')
@ApiBearerAuth()
@Controller('canned-replies')
export class CannedReplyController {
  constructor(private readonly replies: CannedReplyService) {}

  /** Those of a service (`teamId`) and the organization-wide ones, searched with `q`. */
  @Get()
  list(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(listCannedRepliesQuerySchema)) query: ListCannedRepliesQuery,
  ): Promise<CannedReplyDto[]> {
    return this.replies.list(agent, query);
  }

  @Post()
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(createCannedReplySchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createCannedReplySchema)) input: CreateCannedReplyInput,
  ): Promise<CannedReplyDto> {
    return this.replies.create(agent, input);
  }

  /** The text filled with the conversation's values (citizen, reference, démarche, dates, tracking link, agent, service). */
  @Post(':id/render')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(renderCannedReplySchema) as object })
  render(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('réponse type')) id: string,
    @Body(new ZodPipe(renderCannedReplySchema)) input: RenderCannedReplyInput,
  ): Promise<{ text: string }> {
    return this.replies.render(agent, id, input.conversationId);
  }

  @Patch(':id')
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(updateCannedReplySchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('réponse type')) id: string,
    @Body(new ZodPipe(updateCannedReplySchema)) input: UpdateCannedReplyInput,
  ): Promise<CannedReplyDto> {
    return this.replies.update(agent, id, input);
  }

  @Delete(':id')
  @Roles('admin', 'supervisor')
  @HttpCode(204)
  async remove(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('réponse type')) id: string): Promise<void> {
    await this.replies.remove(agent, id);
  }
}
