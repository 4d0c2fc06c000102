import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { SessionDto } from '@guichet/contracts';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { IdPipe } from '../../common/zod.pipe';
import { SessionsService } from './sessions.service';

/** The agent's own sessions: where they are signed in, and ending one or all the others. */
@ApiTags('authentification')
@ApiBearerAuth()
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  list(@CurrentAgent() agent: AuthAgent): Promise<SessionDto[]> {
    return this.sessions.list(agent);
  }

  /** Ends one of the agent's sessions (this one included): its REST calls answer 401, its sockets close. */
  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('session')) id: string): Promise<void> {
    return this.sessions.revoke(agent, id);
  }

  /** Ends every other session of the agent; this one stays. */
  @Delete()
  revokeOthers(@CurrentAgent() agent: AuthAgent): Promise<{ ended: number }> {
    return this.sessions.revokeOthers(agent);
  }
}
