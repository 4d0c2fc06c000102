import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createChannelSchema,
  updateChannelSchema,
  type ChannelDto,
  type CreateChannelInput,
  type UpdateChannelInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { ChannelService } from './channel.service';

@ApiTags('canaux')
@ApiBearerAuth()
@Roles('admin')
@Controller('channels')
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  @Get()
  list(@CurrentAgent() agent: AuthAgent): Promise<ChannelDto[]> {
    return this.channels.list(agent);
  }

  @Get(':id')
  get(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('canal')) id: string): Promise<ChannelDto> {
    return this.channels.get(agent, id);
  }

  @Post()
  @ApiBody({ schema: z.toJSONSchema(createChannelSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createChannelSchema)) input: CreateChannelInput,
  ): Promise<ChannelDto> {
    return this.channels.create(agent, input);
  }

  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateChannelSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('canal')) id: string,
    @Body(new ZodPipe(updateChannelSchema)) input: UpdateChannelInput,
  ): Promise<ChannelDto> {
    return this.channels.update(agent, id, input);
  }
}
