import { Inject, Injectable } from '@nestjs/common';
import {
  awaitsPosting,
  type RetentionRuleDto,
  LIMITS,
  normalizeEmail,
  normalizePhone,
  type IdentityKind,
  type InboundMessage,
  type PublicOrganizationDto,
  type PublicReplyInput,
  type PublicRequestCreated,
  type PublicRequestDto,
  type PublicRequestInput,
} from '@guichet/contracts';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AppError, badRequest, locked, notFound, organizationClosed } from '../../common/errors';
import { RateLimiter } from '../../common/rate-limiter';
import { checkMediaSignature } from '../../common/signed-link';
import { isUuid } from '../../common/uuid';
import { BlobStore } from '../blobs/blob-store';
import { ChannelService } from '../channels/channel.service';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { FormReplyNotices } from '../outbound/form-reply-notice.service';
import { IngestService } from '../ingest/ingest.service';
import { ProcessingRestrictions } from '../privacy/processing-restrictions.service';
import { RetentionService } from '../privacy/retention.service';
import { SatisfactionService } from '../satisfaction/satisfaction.service';
import { footerConformity } from './conformity-columns';
import { PublicRepository, type PublicOrganizationContact } from './public.repository';
import { DeadlineListener } from '../request-types/deadline.listener';
import { DeadlineService } from '../request-types/deadline.service';
import { RequestTypeService } from '../request-types/request-type.service';
import { checkTrackingToken, trackingToken } from './tracking-token';

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  buffer: Buffer;
  size: number;
}

/** The citizen request form and tracking page: no account, a signed token per request. */
@Injectable()
export class PublicService {
  constructor(
    private readonly repo: PublicRepository,
    private readonly ingest: IngestService,
    private readonly channels: ChannelService,
    private readonly conversations: ConversationReader,
    private readonly limiter: RateLimiter,
    private readonly requestTypes: RequestTypeService,
    private readonly deadlines: DeadlineService,
    private readonly deadlineListener: DeadlineListener,
    private readonly retention: RetentionService,
    private readonly blobs: BlobStore,
    private readonly surveys: SatisfactionService,
    private readonly notices: FormReplyNotices,
    private readonly restrictions: ProcessingRestrictions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async organization(slug: string) {
    const found = await this.repo.organizationBySlug(slug.toLowerCase());
    if (!found) throw notFound('commune');
    const { archived, ...org } = found;
    if (archived) throw organizationClosed();
    return org;
  }

  /** The town hall's contact details and retention rules, for its accessibility and personal-data pages. */
  async statement(slug: string): Promise<{ org: PublicOrganizationContact; rules: RetentionRuleDto[] }> {
    const org = await this.repo.organizationContact(slug.toLowerCase());
    if (!org) throw notFound('commune');
    return { org, rules: await this.retention.publicRules(org.id) };
  }

  /** The town's logo, for its citizen pages and the agents' header (public: it is on every page). */
  async logo(slug: string): Promise<{ contentType: string; content: Buffer; sha256: string }> {
    const logo = await this.repo.logo(slug.toLowerCase());
    if (!logo) throw notFound('logo');
    return { contentType: logo.type, content: await this.blobs.get(logo.sha256), sha256: logo.sha256 };
  }

  async describe(slug: string): Promise<PublicOrganizationDto> {
    const org = await this.organization(slug);
    const teams = await this.repo.teams(org.id);
    const types = await this.requestTypes.publicByTeam(org.id);
    return {
      name: org.name,
      slug: org.slug,
      ...(org.logo ? { logo: org.logo } : {}),
      conformity: footerConformity(org),
      teams: teams.map((t) => ({ ...t, requestTypes: types.get(t.id) ?? [] })),
    };
  }

  private checkHoneypot(website: string | undefined): void {
    // A field hidden from people: only robots fill it.
    if (website) throw badRequest('envoi refusé : formulaire rempli automatiquement');
  }

  private async limit(ip: string): Promise<void> {
    await this.limiter.hit(
      `public:${ip}`,
      this.config.publicRequestsPerHour,
      3600,
      'trop de demandes envoyées depuis cette connexion : réessayez dans une heure',
    );
  }

  private attachments(files: UploadedFile[]): InboundMessage['attachments'] {
    if (files.length > LIMITS.attachmentsPerRequest)
      throw badRequest(`${LIMITS.attachmentsPerRequest} pièces jointes au maximum`);
    return files.map((f) => ({
      fileName: f.originalname.slice(0, 255) || 'piece-jointe',
      contentType: f.mimetype || 'application/octet-stream',
      content: f.buffer,
    }));
  }

  async createRequest(slug: string, input: PublicRequestInput, files: UploadedFile[], ip: string): Promise<PublicRequestCreated> {
    this.checkHoneypot(input.website);
    const org = await this.organization(slug);
    // Validate everything before counting the request against the citizen's quota.
    const identities: { kind: IdentityKind; value: string }[] = [];
    const details: string[] = [];
    if (input.email) {
      try {
        identities.push({ kind: 'email', value: normalizeEmail(input.email) });
      } catch (e) {
        details.push(`email: ${(e as Error).message}`);
      }
    }
    if (input.phone) {
      try {
        identities.push({ kind: 'phone', value: normalizePhone(input.phone) });
      } catch (e) {
        details.push(`phone: ${(e as Error).message}`);
      }
    }
    if (details.length) throw badRequest('requête invalide', details);
    if (!(await this.repo.teamExists(org.id, input.teamId)))
      throw badRequest('requête invalide', ['teamId: service inconnu pour cette commune']);
    if (input.requestTypeId) {
      await this.deadlines.usableType(undefined, org.id, input.teamId, input.requestTypeId);
    }
    const channel = await this.channels.firstOfKind(org.id, 'webform');
    if (!channel) throw new AppError('not_found', "cette commune n'a pas ouvert de formulaire de demande en ligne");
    const attachments = this.attachments(files);
    await this.limit(ip);

    const [from, ...extra] = identities;
    // The form proves nothing about who writes (ARCHITECTURE.md, "Threading"): as a `typed` sender,
    // the request always opens a new conversation (flagged for the agent when it quotes a reference
    // or when a typed identity is already a citizen's), never given another file's token, and the
    // typed identities are added to no existing citizen.
    // Replies: agents answer by e-mail or SMS only at identities of this conversation's citizen.
    // - Some typed identity is another citizen's: the request belongs to a new citizen holding only
    //   the typed identities nobody held, so a reply can never go to that other citizen's address
    //   or number; whoever typed it reads the answers on the tracking page (the default reply
    //   channel of a form request) and answers there.
    // - Every typed identity is already one citizen's: the request joins that citizen's file (a
    //   returning citizen), with nothing added to it; a reply by e-mail or SMS goes to that
    //   citizen's own address, never elsewhere, and the tracking page shows the typist only this
    //   request, never the citizen's other files. The "possibly related" flag tells the agent the
    //   sender is unproven before they answer with anything from the citizen's file.
    const result = await this.ingest.ingest(
      {
        channelId: channel.id,
        externalId: `webform:${randomUUID()}`,
        sender: 'typed',
        from: { ...from!, name: input.name },
        extraIdentities: extra,
        subject: input.subject,
        text: input.body,
        attachments,
        // The démarche chosen travels with the message (one write); the deadlines listener sets it.
        ...(input.requestTypeId ? { meta: { requestTypeId: input.requestTypeId } } : {}),
      },
      { teamId: input.teamId },
    );
    // The listener of `conversation.created` does the same; done here too so the request leaves
    // with its dates (idempotent, whichever runs first).
    await this.deadlineListener.initialize(org.id, result.conversationId);
    const conversation = (await this.conversations.row(org.id, result.conversationId))!;
    const token = trackingToken(this.config.appSecret, conversation.id);
    const typed = Object.fromEntries(identities.map((i) => [i.kind, i.value]));
    return {
      reference: conversation.reference,
      trackingToken: token,
      trackingUrl: `${this.config.publicUrl}/suivi/${conversation.reference}?token=${token}`,
      notify: await this.notices.targets(undefined, org.id, conversation.id, typed),
      responseDueAt: conversation.response_due_at?.toISOString() ?? null,
    };
  }

  /**
   * The conversation of a tracking link. An archived town's citizen still reads their own file
   * (`read`: the page, its files) but writes nothing more through it (410).
   */
  private async tracked(reference: string, token: unknown, read = false) {
    const conversation = await this.conversations.byReference(reference.toUpperCase());
    // A wrong token and an unknown reference look the same: 404.
    if (!conversation || !checkTrackingToken(this.config.appSecret, conversation.id, token)) throw notFound('demande');
    const archived = await this.repo.archived(conversation.organization_id);
    if (archived && !read) throw organizationClosed();
    return { ...conversation, archived };
  }

  async getRequest(reference: string, token: unknown): Promise<PublicRequestDto> {
    const c = await this.tracked(reference, token, true);
    const teamName = await this.repo.teamName(c.team_id);
    const [{ items }, survey, limited] = await Promise.all([
      this.conversations.messagesPage(c.id, 200, null, { publicOnly: true }),
      this.surveys.trackingLink(c.id),
      this.restrictions.limitedOutside(undefined, c.contact_id, c.id),
    ]);
    return {
      reference: c.reference,
      status: c.status,
      subject: c.subject,
      service: teamName?.name ?? '',
      organization: teamName?.organization ?? '',
      organizationSlug: teamName?.organizationSlug,
      ...(teamName?.organizationLogo ? { organizationLogo: teamName.organizationLogo } : {}),
      ...(teamName ? { organizationConformity: footerConformity(teamName) } : {}),
      createdAt: c.created_at.toISOString(),
      serviceOpeningHours: teamName?.openingHours ?? null,
      decision:
        c.decision_due_at && c.decision_regime
          ? {
              regime: c.decision_regime,
              dueAt: c.decision_due_at.toISOString(),
              nonWorkingDay: c.decision_due_non_working,
            }
          : null,
      // Not a message that failed, nor a letter of the town hall before an agent posted it: the
      // citizen reads it once it is on its way (a paper answer's files are none: attachmentsOut).
      messages: items
        .filter((m) => (m.direction === 'inbound' || m.status !== 'failed') && !awaitsPosting(m))
        .map((m) => ({
          id: m.id,
          direction: m.direction,
          body: m.body,
          createdAt: m.createdAt,
          attachments: m.attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size })),
        })),
      // No survey for a town that left the platform: nobody would read the answer.
      ...(c.archived ? { survey: null, organizationClosed: true as const } : { survey }),
      ...(limited ? { limited: true as const } : {}),
    };
  }

  async reply(
    reference: string,
    token: unknown,
    input: PublicReplyInput,
    files: UploadedFile[],
    ip: string,
  ): Promise<PublicRequestDto> {
    this.checkHoneypot(input.website);
    const c = await this.tracked(reference, token);
    // RGPD art. 18: a file the citizen's limitation freezes takes no message (nobody may process
    // it); the page says so and where to write instead (a new request is processed).
    if (await this.restrictions.limitedOutside(undefined, c.contact_id, c.id))
      throw locked(
        'à votre demande, le traitement de vos données est limité (RGPD, article 18) : cette demande est conservée sans être traitée et ne peut plus recevoir de message ; pour une nouvelle demande, utilisez le formulaire en ligne de la mairie',
      );
    const channel = await this.channels.firstOfKind(c.organization_id, 'webform');
    if (!channel) throw new AppError('not_found', 'le formulaire en ligne de cette commune est fermé');
    const attachments = this.attachments(files);
    await this.limit(ip);
    // The token proves the conversation and that its citizen writes: no identity is involved (a
    // form's citizen may hold none, and none of its identities must be shown as used here).
    await this.ingest.ingest({
      channelId: channel.id,
      externalId: `webform:${randomUUID()}`,
      sender: 'tracking-link',
      text: input.body,
      attachments,
      thread: { conversationId: c.id },
    });
    return this.getRequest(reference, token);
  }

  /** A file of the request's public exchange (the citizen's or the town hall's), for the tracking link's holder. */
  async requestAttachment(reference: string, token: unknown, attachmentId: string): Promise<PublicFile> {
    const c = await this.tracked(reference, token, true);
    const a = isUuid(attachmentId) ? await this.repo.attachment(attachmentId) : undefined;
    if (!a || a.conversation_id !== c.id || !a.public) throw notFound('pièce jointe');
    return { fileName: a.file_name, contentType: a.content_type, content: await this.blobs.get(a.sha256) };
  }

  /** A reply's file behind a signed, short-lived link (Twilio fetches WhatsApp media from it). */
  async signedMedia(attachmentId: string, expires: unknown, sig: unknown): Promise<PublicFile> {
    if (!isUuid(attachmentId) || !checkMediaSignature(this.config.appSecret, attachmentId, expires, sig))
      throw notFound('fichier');
    const a = await this.repo.attachment(attachmentId);
    if (!a || !a.public) throw notFound('fichier');
    return { fileName: a.file_name, contentType: a.content_type, content: await this.blobs.get(a.sha256) };
  }
}

export interface PublicFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}
