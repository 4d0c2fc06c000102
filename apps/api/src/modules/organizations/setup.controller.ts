import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { setupSchema, type SetupInput, type SetupStatusDto } from '@guichet/contracts';
import { z } from 'zod';
import { Public } from '../../common/auth-agent';
import { forbidden } from '../../common/errors';
import { RateLimiter } from '../../common/rate-limiter';
import { ZodPipe } from '../../common/zod.pipe';
import { APP_CONFIG, type AppConfig } from '../../config';
import { SetupService, setupTokenMatches } from './setup.service';

/** The first-run page's API: open to anyone while the database is empty, behind the setup token. */
@ApiTags('installation')
@Controller('setup')
export class SetupController {
  constructor(
    private readonly setup: SetupService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async status(): Promise<SetupStatusDto> {
    return { needed: await this.setup.needed() };
  }

  /**
   * Creates the organization and its first administrator, once: 403 without the token printed in
   * the server's log (or GUICHET_SETUP_TOKEN), 409 once an organization exists.
   */
  @Public()
  @Post()
  @HttpCode(201)
  @ApiBody({ schema: z.toJSONSchema(setupSchema, { io: 'input' }) as object })
  async create(
    @Body(new ZodPipe(setupSchema)) input: SetupInput,
  ): Promise<{ organization: { id: string; slug: string; name: string }; adminEmail: string }> {
    await this.limiter.hit('setup', 20, 900, 'trop de tentatives : réessayez dans quelques minutes');
    if (!setupTokenMatches(this.config, input.token))
      throw forbidden('jeton d’installation incorrect : recopiez celui affiché dans le journal du serveur');
    const { organization } = await this.setup.setup(input);
    return { organization, adminEmail: input.admin.email };
  }
}
