import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createRequestTypeSchema,
  listRequestTypesQuerySchema,
  updateRequestTypeSchema,
  type CreateRequestTypeInput,
  type ListRequestTypesQuery,
  type RequestTypeDto,
  type UpdateRequestTypeInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { RequestTypeService } from './request-type.service';

@ApiTags('démarches')
@ApiBearerAuth()
@Controller('request-types')
export class RequestTypeController {
  constructor(private readonly types: RequestTypeService) {}

  /** The démarches of the organization, or of one service (`teamId`), in use. */
  @Get()
  list(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(listRequestTypesQuerySchema)) query: ListRequestTypesQuery,
  ): Promise<RequestTypeDto[]> {
    return this.types.list(agent, query);
  }

  @Post()
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(createRequestTypeSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createRequestTypeSchema)) input: CreateRequestTypeInput,
  ): Promise<RequestTypeDto> {
    return this.types.create(agent, input);
  }

  /** Any field; `active: false` withdraws the démarche (files keep it). */
  @Patch(':id')
  @Roles('admin', 'supervisor')
  @ApiBody({ schema: z.toJSONSchema(updateRequestTypeSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('démarche')) id: string,
    @Body(new ZodPipe(updateRequestTypeSchema)) input: UpdateRequestTypeInput,
  ): Promise<RequestTypeDto> {
    return this.types.update(agent, id, input);
  }
}
