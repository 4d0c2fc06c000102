import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  cancelEventSchema,
  checkInSchema,
  createEventSchema,
  createSessionSchema,
  duplicateEventSchema,
  listEventsQuerySchema,
  messageRegistrantsSchema,
  updateEventSchema,
  updateSessionSchema,
  type CancelEventInput,
  type CreateEventInput,
  type CreateSessionInput,
  type DuplicateEventInput,
  type ListEventsQuery,
  type MessageRegistrantsInput,
  type MessageRegistrantsResult,
  type MunicipalEventDto,
  type RegistrantExportFormat,
  type RegistrationDto,
  type ContactRegistrationDto,
  type UpdateEventInput,
  type UpdateSessionInput,
} from '@guichet/contracts';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentAgent, type AuthAgent } from '../../common/auth-agent';
import { attachmentDisposition } from '../../common/content-disposition';
import { IdPipe, ZodPipe } from '../../common/zod.pipe';
import { MunicipalEventService } from './municipal-event.service';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as object;

/** `?sessionId=`: one session's registrants (absent or empty: all). */
const sessionQuery = new IdPipe('séance');
const sessionOf = (v: unknown): string | undefined => (typeof v === 'string' && v ? sessionQuery.transform(v) : undefined);

/** Municipal events of the services (issue 17): the agents of an event's service, supervisors and admins. */
@ApiTags('événements')
@ApiBearerAuth()
@Controller('events')
export class MunicipalEventController {
  constructor(private readonly events: MunicipalEventService) {}

  @Get()
  list(
    @CurrentAgent() agent: AuthAgent,
    @Query(new ZodPipe(listEventsQuerySchema)) query: ListEventsQuery,
  ): Promise<MunicipalEventDto[]> {
    return this.events.list(agent, query);
  }

  @Post()
  @ApiBody({ schema: schema(createEventSchema) })
  create(
    @CurrentAgent() agent: AuthAgent,
    @Body(new ZodPipe(createEventSchema)) input: CreateEventInput,
  ): Promise<MunicipalEventDto> {
    return this.events.create(agent, input);
  }

  @Get(':id')
  get(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('événement')) id: string): Promise<MunicipalEventDto> {
    return this.events.get(agent, id);
  }

  /** Any field (`published` publishes or withdraws it); `notify` writes to every registrant. */
  @Patch(':id')
  @ApiBody({ schema: schema(updateEventSchema) })
  update(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Body(new ZodPipe(updateEventSchema)) input: UpdateEventInput,
  ): Promise<MunicipalEventDto> {
    return this.events.update(agent, id, input);
  }

  @Post(':id/duplicate')
  @ApiBody({ schema: schema(duplicateEventSchema) })
  duplicate(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Body(new ZodPipe(duplicateEventSchema)) input: DuplicateEventInput,
  ): Promise<MunicipalEventDto> {
    return this.events.duplicate(agent, id, input);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiBody({ schema: schema(cancelEventSchema) })
  cancel(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Body(new ZodPipe(cancelEventSchema)) input: CancelEventInput,
  ): Promise<MunicipalEventDto & { messaged: number }> {
    return this.events.cancel(agent, id, input);
  }

  /** One more session (its dates and places). */
  @Post(':id/sessions')
  @ApiBody({ schema: schema(createSessionSchema) })
  addSession(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Body(new ZodPipe(createSessionSchema)) input: CreateSessionInput,
  ): Promise<MunicipalEventDto> {
    return this.events.addSession(agent, id, input);
  }

  /** A session's dates or places; its registrants are told of a new date. */
  @Patch(':id/sessions/:sessionId')
  @ApiBody({ schema: schema(updateSessionSchema) })
  updateSession(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Param('sessionId', new IdPipe('séance')) sessionId: string,
    @Body(new ZodPipe(updateSessionSchema)) input: UpdateSessionInput,
  ): Promise<MunicipalEventDto> {
    return this.events.updateSession(agent, id, sessionId, input);
  }

  /** Cancels one session, with a message to its registrants. */
  @Post(':id/sessions/:sessionId/cancel')
  @HttpCode(200)
  @ApiBody({ schema: schema(cancelEventSchema) })
  cancelSession(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Param('sessionId', new IdPipe('séance')) sessionId: string,
    @Body(new ZodPipe(cancelEventSchema)) input: CancelEventInput,
  ): Promise<MunicipalEventDto & { messaged: number }> {
    return this.events.cancelSession(agent, id, sessionId, input);
  }

  /** The registrants (`?sessionId=`: of one session). */
  @Get(':id/registrations')
  registrations(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Query('sessionId') sessionId: unknown,
  ): Promise<RegistrationDto[]> {
    return this.events.registrations(agent, id, sessionOf(sessionId));
  }

  @Get(':id/registrations.csv')
  csv(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Query('sessionId') sessionId: unknown,
    @Res() res: Response,
  ): Promise<void> {
    return this.download(agent, id, 'csv', res, sessionOf(sessionId));
  }

  /** The same list as a spreadsheet: typed columns (numbers, dates in Paris time, presence), French headers. */
  @Get(':id/registrations.xlsx')
  xlsx(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Query('sessionId') sessionId: unknown,
    @Res() res: Response,
  ): Promise<void> {
    return this.download(agent, id, 'xlsx', res, sessionOf(sessionId));
  }

  private async download(
    agent: AuthAgent,
    id: string,
    format: RegistrantExportFormat,
    res: Response,
    sessionId?: string,
  ): Promise<void> {
    const { fileName, contentType, content } = await this.events.exportRegistrants(agent, id, format, sessionId);
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Disposition', attachmentDisposition(fileName));
    res.setHeader('Cache-Control', 'private, no-store');
    res.send(content);
  }

  @Post(':id/registrations/:registrationId/check-in')
  @HttpCode(200)
  @ApiBody({ schema: schema(checkInSchema) })
  checkIn(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Param('registrationId', new IdPipe('inscription')) registrationId: string,
    @Body(new ZodPipe(checkInSchema)) input: { present: boolean },
  ): Promise<RegistrationDto> {
    return this.events.checkIn(agent, id, registrationId, input.present);
  }

  @Post(':id/registrations/:registrationId/promote')
  @HttpCode(200)
  promote(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Param('registrationId', new IdPipe('inscription')) registrationId: string,
  ): Promise<RegistrationDto> {
    return this.events.promote(agent, id, registrationId);
  }

  @Post(':id/registrations/:registrationId/cancel')
  @HttpCode(200)
  cancelRegistration(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Param('registrationId', new IdPipe('inscription')) registrationId: string,
  ): Promise<RegistrationDto> {
    return this.events.cancelRegistration(agent, id, registrationId);
  }

  /** A message to all registrants (or some: `registrationIds`), in each one's conversation. */
  @Post(':id/messages')
  @HttpCode(200)
  @ApiBody({ schema: schema(messageRegistrantsSchema) })
  message(
    @CurrentAgent() agent: AuthAgent,
    @Param('id', new IdPipe('événement')) id: string,
    @Body(new ZodPipe(messageRegistrantsSchema)) input: MessageRegistrantsInput,
  ): Promise<MessageRegistrantsResult> {
    return this.events.message(agent, id, input);
  }
}

/** The citizen file's registrations (issue 17): events of the agent's services; all for supervisors and admins. */
@ApiTags('événements')
@ApiBearerAuth()
@Controller('contacts')
export class ContactRegistrationsController {
  constructor(private readonly events: MunicipalEventService) {}

  @Get(':id/event-registrations')
  list(@CurrentAgent() agent: AuthAgent, @Param('id', new IdPipe('citoyen')) id: string): Promise<ContactRegistrationDto[]> {
    return this.events.contactRegistrations(agent, id);
  }
}
