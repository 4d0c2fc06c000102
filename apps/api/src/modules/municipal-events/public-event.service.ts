import { Injectable } from '@nestjs/common';
import type { ConformityLevel, PublicEventDto } from '@guichet/contracts';
import { z } from 'zod';
import { notFound, organizationClosed } from '../../common/errors';
import { isUuid } from '../../common/uuid';
import { footerConformity } from '../public/conformity-columns';
import { MunicipalEventRepository } from './municipal-event.repository';
import { toPublicEventDto } from './registration.service';

export const publicEventsQuerySchema = z.object({
  teamId: z
    .uuid('service inconnu')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  theme: z
    .string()
    .trim()
    .max(60)
    .optional()
    .transform((v) => v || undefined),
  from: z.iso
    .date('date AAAA-MM-JJ attendue')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  to: z.iso
    .date('date AAAA-MM-JJ attendue')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});
export type PublicEventsQuery = z.infer<typeof publicEventsQuerySchema>;

/** Midnight in Paris of a calendar day (close enough: the offset of that day at noon). */
function parisDay(day: string): Date {
  const noon = new Date(`${day}T12:00:00Z`);
  const paris = new Date(noon.toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
  const offset = paris.getTime() - new Date(noon.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
  return new Date(Date.parse(`${day}T00:00:00Z`) - offset);
}

/** A town of the event pages: its name, and its RGAA level for their footer. */
export interface Town {
  id: string;
  name: string;
  slug: string;
  conformity: ConformityLevel;
}

/** The published events of a town, as its citizens see them. */
@Injectable()
export class PublicEventService {
  constructor(private readonly repo: MunicipalEventRepository) {}

  async organization(slug: string): Promise<Town> {
    const org = await this.town(slug);
    if (!org) throw notFound('commune');
    return org;
  }

  /** Whether the town of `slug` is archived (its event pages say the service is closed). */
  async closed(slug: string): Promise<boolean> {
    return (await this.repo.organizationBySlug(slug.toLowerCase()))?.archived ?? false;
  }

  /** The town of `slug`, null when there is none; an archived one's pages are closed (410). */
  private async town(slug: string): Promise<Town | null> {
    const org = await this.repo.organizationBySlug(slug.toLowerCase());
    if (!org) return null;
    if (org.archived) throw organizationClosed();
    return { id: org.id, name: org.name, slug: org.slug, conformity: footerConformity(org) };
  }

  async list(slug: string, q: PublicEventsQuery) {
    const org = await this.organization(slug);
    const rows = await this.repo.publicEvents(org.id, {
      teamId: q.teamId,
      theme: q.theme,
      from: q.from ? parisDay(q.from) : undefined,
      to: q.to ? new Date(parisDay(q.to).getTime() + 24 * 3600_000) : undefined,
    });
    const all = q.teamId || q.theme || q.from || q.to ? await this.repo.publicEvents(org.id, {}) : rows;
    const services = [...new Map(all.map((e) => [e.team_id, { id: e.team_id, name: e.team_name }])).values()].sort((a, b) =>
      a.name.localeCompare(b.name, 'fr'),
    );
    return {
      organization: org.name,
      conformity: org.conformity,
      themes: await this.repo.publicThemes(org.id),
      services,
      events: rows.map((e) => toPublicEventDto(e)),
    };
  }

  /** A published event of the town `slug` (the event page), with the town; null when it is not one. */
  async inOrganization(slug: string, id: string): Promise<{ town: Town; event: PublicEventDto } | null> {
    const org = await this.town(slug);
    const e = org && isUuid(id) ? await this.repo.findEvent(null, id) : null;
    if (!org || !e || !e.published || e.organization_id !== org.id) return null;
    return { town: org, event: toPublicEventDto(e) };
  }

  /** The town `slug` when the event is one of its own (published or not: a registration's page). */
  async organizationOfEvent(slug: string, id: string): Promise<Town | null> {
    const org = await this.town(slug);
    const e = org && isUuid(id) ? await this.repo.findEvent(null, id) : null;
    return org && e?.organization_id === org.id ? org : null;
  }

  async get(id: string): Promise<PublicEventDto> {
    const e = isUuid(id) ? await this.repo.findEvent(null, id) : null;
    if (!e || !e.published) throw notFound('événement');
    if (e.organization_archived) throw organizationClosed();
    return toPublicEventDto(e);
  }
}
