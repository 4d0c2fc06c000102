import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createAdministrationSchema,
  updateAdministrationSchema,
  type CreateAdministrationInput,
  type ExternalAdministrationDto,
  type UpdateAdministrationInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { AdministrationService } from './administration.service';

/** The town's directory of external administrations (CRPA L114-2). */
@ApiTags('administrations')
@ApiBearerAuth()
@Controller('administrations')
export class AdministrationController {
  constructor(private readonly administrations: AdministrationService) {}

  /** By name (any agent: the transfer form offers them). */
  @Get()
  list(@CurrentAgent() agent: AuthAgent): Promise<ExternalAdministrationDto[]> {
    return this.administrations.list(agent);
  }

  @Post()
  @Roles('admin')
  @ApiBody({ schema: z.toJSONSchema(createAdministrationSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createAdministrationSchema)) input: CreateAdministrationInput,
  ): Promise<ExternalAdministrationDto> {
    return this.administrations.create(agent, input);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiBody({ schema: z.toJSONSchema(updateAdministrationSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('administration')) id: string,
    @Body(new ZodPipe(updateAdministrationSchema)) input: UpdateAdministrationInput,
  ): Promise<ExternalAdministrationDto> {
    return this.administrations.update(agent, id, input);
  }

  /** The transfers already made to it keep its name and e-mail. */
  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('administration')) id: string): Promise<void> {
    await this.administrations.remove(agent, id);
  }
}
