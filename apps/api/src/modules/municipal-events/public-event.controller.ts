import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import {
  publicRegistrationSchema,
  type PublicEventDto,
  type PublicRegistrationCreated,
  type PublicRegistrationDto,
} from '@guichet/contracts';
import type { Request } from 'express';
import { z } from 'zod';
import { Public } from '../../common/auth-agent';
import { parseOr400 } from '../../common/zod.pipe';
import { PublicEventService, publicEventsQuerySchema } from './public-event.service';
import { RegistrationService } from './registration.service';

/** Citizens' side of municipal events: no account; a signed link per registration. */
@ApiTags('public (citoyens)')
@Public()
@Controller('public')
export class PublicEventController {
  constructor(
    private readonly events: PublicEventService,
    private readonly registrations: RegistrationService,
  ) {}

  @Get('organizations/:slug/events')
  list(
    @Param('slug') slug: string,
    @Query() query: unknown,
  ): Promise<{ organization: string; themes: string[]; services: { id: string; name: string }[]; events: PublicEventDto[] }> {
    return this.events.list(slug, parseOr400(publicEventsQuerySchema, query));
  }

  @Get('events/:id')
  get(@Param('id') id: string): Promise<PublicEventDto> {
    return this.events.get(id);
  }

  @Post('events/:id/registrations')
  @ApiBody({ schema: z.toJSONSchema(publicRegistrationSchema, { io: 'input' }) as object })
  register(@Param('id') id: string, @Body() body: unknown, @Req() req: Request): Promise<PublicRegistrationCreated> {
    return this.registrations.register(id, parseOr400(publicRegistrationSchema, body), req.ip ?? 'unknown');
  }

  @Get('registrations/:id')
  view(@Param('id') id: string, @Query('token') token: unknown): Promise<PublicRegistrationDto> {
    return this.registrations.view(id, token);
  }

  @Post('registrations/:id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string, @Query('token') token: unknown): Promise<PublicRegistrationDto> {
    return this.registrations.cancel(id, token);
  }

  @Post('registrations/:id/confirm')
  @HttpCode(200)
  confirm(@Param('id') id: string, @Query('token') token: unknown): Promise<PublicRegistrationDto> {
    return this.registrations.confirm(id, token);
  }
}
