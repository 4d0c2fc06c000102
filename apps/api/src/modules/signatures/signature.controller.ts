import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { agentSignatureSchema, type AgentSignatureDto, type UpdateAgentSignatureInput } from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { ZodPipe } from '../../common/zod.pipe';
import { SignatureService } from './signature.service';

const teamQuery = z.object({ teamId: z.uuid('identifiant de service invalide').optional() });

/** The agent's own signature (L111-2): their role, signing with the service only, and its preview per service. */
@ApiTags('compte')
@ApiBearerAuth()
@Controller('account/signature')
export class SignatureController {
  constructor(private readonly signatures: SignatureService) {}

  @Get()
  get(@CurrentAgent() agent: AuthAgent, @Query(new ZodPipe(teamQuery)) q: { teamId?: string }): Promise<AgentSignatureDto> {
    return this.signatures.mine(agent, q.teamId);
  }

  @Patch()
  @ApiBody({ schema: z.toJSONSchema(agentSignatureSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(agentSignatureSchema)) input: UpdateAgentSignatureInput,
    @Query(new ZodPipe(teamQuery)) q: { teamId?: string },
  ): Promise<AgentSignatureDto> {
    return this.signatures.update(agent, input, q.teamId);
  }
}
