import { Body, Controller, Delete, Get, HttpCode, Param, Put, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createOrganizationSchema,
  grantPlatformAdminSchema,
  type CreateOrganizationInput,
  type GrantPlatformAdminInput,
  type PlatformAdminDto,
  type PlatformOrganizationDto,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, PlatformAdminOnly, type AuthAgent } from '../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { PlatformService } from './platform.service';

/** The platform administrator's screens: the towns of the installation, and a further one. */
@ApiTags('plateforme')
@ApiBearerAuth()
@PlatformAdminOnly()
@Controller('platform/organizations')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  /** Every organization: name, identifier, creation, active agents, administrators (never citizens' data). */
  @Get()
  list(): Promise<PlatformOrganizationDto[]> {
    return this.platform.list();
  }

  /** A further town and its first administrator, invited by e-mail (a link valid 72 hours); 409 for a taken identifier or address. */
  @Post()
  @ApiBody({ schema: z.toJSONSchema(createOrganizationSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() by: AuthAgent,
    @Body(new ZodPipe(createOrganizationSchema)) input: CreateOrganizationInput,
  ): Promise<PlatformOrganizationDto> {
    return this.platform.create(by, input);
  }

  /** Archives a town: nothing deleted, its agents signed out and refused, its citizen pages closed; 409 for the platform admin's own. */
  @Post(':id/archive')
  @HttpCode(200)
  archive(@CurrentAgent() by: AuthAgent, @Param('id', new IdPipe('organisation')) id: string): Promise<PlatformOrganizationDto> {
    return this.platform.archive(by, id);
  }

  /** Puts an archived town back into service. */
  @Post(':id/unarchive')
  @HttpCode(200)
  unarchive(
    @CurrentAgent() by: AuthAgent,
    @Param('id', new IdPipe('organisation')) id: string,
  ): Promise<PlatformOrganizationDto> {
    return this.platform.unarchive(by, id);
  }
}

/** The platform's administrators: listed, and the role granted to or revoked from an agent (never the last). */
@ApiTags('plateforme')
@ApiBearerAuth()
@PlatformAdminOnly()
@Controller('platform/admins')
export class PlatformAdminsController {
  constructor(private readonly platform: PlatformService) {}

  @Get()
  list(): Promise<PlatformAdminDto[]> {
    return this.platform.admins();
  }

  /**
   * The role granted by e-mail: the active agent of any town with this address (agents' addresses are
   * unique on the installation). 404 in French when none (invite them in their town first), 409 when
   * their town is archived; answers the new list.
   */
  @Post()
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(grantPlatformAdminSchema, { io: 'input' }) as object })
  grantByEmail(
    @CurrentAgent() by: AuthAgent,
    @Body(new ZodPipe(grantPlatformAdminSchema)) input: GrantPlatformAdminInput,
  ): Promise<PlatformAdminDto[]> {
    return this.platform.grantByEmail(by, input.email);
  }

  /** Makes an active agent (of any town) an administrator of the platform; answers the new list. */
  @Put(':agentId')
  grant(@CurrentAgent() by: AuthAgent, @Param('agentId', new IdPipe('agent')) id: string): Promise<PlatformAdminDto[]> {
    return this.platform.setAdmin(by, id, true);
  }

  /** Takes the role back; 409 for the platform's last administrator. */
  @Delete(':agentId')
  revoke(@CurrentAgent() by: AuthAgent, @Param('agentId', new IdPipe('agent')) id: string): Promise<PlatformAdminDto[]> {
    return this.platform.setAdmin(by, id, false);
  }
}
