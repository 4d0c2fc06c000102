import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { logCallSchema, type LogCallInput, type MessageDto } from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { CallService } from './call.service';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class CallLogController {
  constructor(private readonly calls: CallService) {}

  /** Logs a call (or a counter visit, "accueil physique") by hand; an outgoing call clears "à rappeler". */
  @Post(':id/calls')
  @ApiBody({ schema: z.toJSONSchema(logCallSchema, { io: 'input' }) as object })
  log(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('conversation')) id: string,
    @Body(new ZodPipe(logCallSchema)) input: LogCallInput,
  ): Promise<MessageDto> {
    return this.calls.logManual(agent, id, input);
  }
}
