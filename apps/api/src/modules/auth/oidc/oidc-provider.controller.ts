import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  createOidcProviderSchema,
  updateOidcProviderSchema,
  type CreateOidcProviderInput,
  type OidcProviderDto,
  type UpdateOidcProviderInput,
} from '@guichet/contracts';
import { z } from 'zod';
import { CurrentAgent, Roles, type AuthAgent } from '../../../common/auth-agent';
import { IdPipe, ZodPipe } from '../../../common/zod.pipe';
import { OidcProviderService } from './oidc-provider.service';

/** The organization's OpenID Connect providers (ProConnect, Keycloak, Azure AD…), for its admins. */
@ApiTags('fournisseurs d’identité')
@ApiBearerAuth()
@Roles('admin')
@Controller('oidc-providers')
export class OidcProviderController {
  constructor(private readonly providers: OidcProviderService) {}

  @Get()
  list(@CurrentAgent() admin: AuthAgent): Promise<OidcProviderDto[]> {
    return this.providers.list(admin);
  }

  @Get(':id')
  get(@CurrentAgent() admin: AuthAgent, @Param('id', new IdPipe('fournisseur')) id: string): Promise<OidcProviderDto> {
    return this.providers.get(admin, id);
  }

  /** The client secret is stored encrypted and never shown again (`clientSecretSet`). */
  @Post()
  @ApiBody({ schema: z.toJSONSchema(createOidcProviderSchema, { io: 'input' }) as object })
  create(
    @CurrentAgent() admin: AuthAgent,
    @Body(new ZodPipe(createOidcProviderSchema)) input: CreateOidcProviderInput,
  ): Promise<OidcProviderDto> {
    return this.providers.create(admin, input);
  }

  /** Only the fields sent change; a `clientSecret` sent replaces the stored one. */
  @Patch(':id')
  @ApiBody({ schema: z.toJSONSchema(updateOidcProviderSchema, { io: 'input' }) as object })
  update(
    @CurrentAgent() admin: AuthAgent,
    @Param('id', new IdPipe('fournisseur')) id: string,
    @Body(new ZodPipe(updateOidcProviderSchema)) input: UpdateOidcProviderInput,
  ): Promise<OidcProviderDto> {
    return this.providers.update(admin, id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentAgent() admin: AuthAgent, @Param('id', new IdPipe('fournisseur')) id: string): Promise<void> {
    return this.providers.remove(admin, id);
  }
}
