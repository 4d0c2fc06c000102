import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  confirmContactMergeSchema,
  contactMergeQuerySchema,
  proposeContactMergeSchema,
  type ConfirmContactMergeInput,
  type ContactMergeDto,
  type ContactMergeFilesDto,
  type ContactMergeQuery,
  type ProposeContactMergeInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { ContactMergeService } from './contact-merge.service';

/** Contact merge (issue 16): an agent proposes, a supervisor confirms or refuses, and may undo within 30 days. */
@ApiTags('citoyens')
@ApiBearerAuth()
@Controller()
export class ContactMergeController {
  constructor(private readonly merges: ContactMergeService) {}

  /** Proposes merging another file (by id or by one of its identities) into this one, which is kept. */
  @Post('contacts/:id/merges')
  @ApiBody({ schema: z.toJSONSchema(proposeContactMergeSchema, { io: 'input' }) as object })
  propose(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('citoyen')) id: string,
    @Body(new ZodPipe(proposeContactMergeSchema)) input: ProposeContactMergeInput,
  ): Promise<ContactMergeDto> {
    return this.merges.propose(agent, id, input);
  }

  /** The merges this file is part of, either side, newest first. */
  @Get('contacts/:id/merges')
  forContact(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('citoyen')) id: string): Promise<ContactMergeDto[]> {
    return this.merges.list(agent, { contactId: id });
  }

  /** `?status=proposed`: the proposals waiting for a decision. */
  @Get('contact-merges')
  @Roles('admin', 'supervisor')
  list(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(contactMergeQuerySchema)) q: ContactMergeQuery,
  ): Promise<ContactMergeDto[]> {
    return this.merges.list(agent, { status: q.status });
  }

  /** Both files of a merge side by side: name, identities, conversations, event registrations. */
  @Get('contact-merges/:id/files')
  @Roles('admin', 'supervisor')
  files(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('fusion')) id: string): Promise<ContactMergeFilesDto> {
    return this.merges.files(agent, id);
  }

  /** Body (optional): the name kept (`target` or `source`) and the identities kept (all when absent). */
  @Post('contact-merges/:id/confirm')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  @ApiBody({ required: false, schema: z.toJSONSchema(confirmContactMergeSchema, { io: 'input' }) as object })
  confirm(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('fusion')) id: string,
    @Body(new ZodPipe(confirmContactMergeSchema)) input: ConfirmContactMergeInput,
  ): Promise<ContactMergeDto> {
    return this.merges.confirm(agent, id, input);
  }

  @Post('contact-merges/:id/reject')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  reject(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('fusion')) id: string): Promise<ContactMergeDto> {
    return this.merges.reject(agent, id);
  }

  @Post('contact-merges/:id/undo')
  @HttpCode(200)
  @Roles('admin', 'supervisor')
  undo(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('fusion')) id: string): Promise<ContactMergeDto> {
    return this.merges.undo(agent, id);
  }
}
