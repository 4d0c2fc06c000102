import { Inject, Injectable } from '@nestjs/common';
import type { OrgMailSettingsDto, OrgMailSettingsInput } from '@guichet/contracts';
import { outboundMessageId, sendOrganizationMail, type OrganizationMailAttachment } from '@guichet/channels';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config';
import { AppError } from '../../common/errors';
import { decryptSecrets, encryptSecrets } from '../channels/channel-secrets';
import { OrganizationRepository, type StoredMailSettings } from './organization.repository';

/** The SMTP password is sealed with the organization's id (and this purpose) as associated data. */
const aad = (organizationId: string) => `organization-mail:${organizationId}`;

/**
 * The organization's own outgoing mail (invitations, password resets): through its SMTP server
 * when one is set; otherwise (the embedded default) printed in the server's log and kept for the
 * admin to read (`GET /organization/mails`).
 */
@Injectable()
export class OrganizationMail {
  constructor(
    private readonly organizations: OrganizationRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Within the caller's transaction: a refused mail throws (503 with the server's reason), so
   * what the mail announces (an invitation) is rolled back with it. `mail.messageId`: the Guichet
   * message this mail is (a form's notice): its Message-ID is derived from it (outboundMessageId),
   * the same on every attempt, so a mail sent again after an interrupted attempt is the same mail.
   */
  async send(
    m: EntityManager,
    organizationId: string,
    mail: { to: string; subject: string; text: string; attachments?: OrganizationMailAttachment[]; messageId?: string },
  ): Promise<void> {
    const stored = await this.organizations.mailSettings(organizationId, m);
    if (!stored || stored.settings.mode === 'log') {
      if (this.config.logLevel !== 'silent') {
        console.log(
          `\n── Courriel (non envoyé : aucun serveur SMTP réglé) à ${mail.to} ──\nObjet : ${mail.subject}\n\n${mail.text}\n──`,
        );
      }
      await this.organizations.recordMail(m, {
        organizationId,
        to: mail.to,
        subject: mail.subject,
        body: mail.text,
        status: 'logged',
      });
      return;
    }
    const s = stored.settings as Extract<OrgMailSettingsDto, { mode: 'smtp' }>;
    const { password } = decryptSecrets(this.config.encryptionKey, aad(organizationId), stored.secret) as { password?: string };
    try {
      await sendOrganizationMail(
        { ...s, password },
        { ...mail, messageId: mail.messageId ? outboundMessageId(mail.messageId, s.fromAddress) : undefined },
      );
    } catch (e) {
      throw new AppError('unavailable', `le courriel à ${mail.to} n’a pas pu être envoyé : ${(e as Error).message}`);
    }
    await this.organizations.recordMail(m, { organizationId, to: mail.to, subject: mail.subject, body: null, status: 'sent' });
  }

  async settings(organizationId: string): Promise<OrgMailSettingsDto> {
    const stored = await this.organizations.mailSettings(organizationId);
    return toDto(stored);
  }

  /** The settings to store for `input` (the saved password kept when none is given), with before/after for the audit. */
  async prepare(
    m: EntityManager,
    organizationId: string,
    input: OrgMailSettingsInput,
  ): Promise<{ stored: StoredMailSettings; before: OrgMailSettingsDto; after: OrgMailSettingsDto }> {
    const current = await this.organizations.mailSettings(organizationId, m, true);
    const before = toDto(current);
    if (input.mode === 'log') return { stored: { settings: { mode: 'log' }, secret: null }, before, after: { mode: 'log' } };
    const { password, ...settings } = input;
    const secret =
      password !== undefined
        ? password
          ? encryptSecrets(this.config.encryptionKey, aad(organizationId), { password })
          : null
        : current?.settings.mode === 'smtp'
          ? current.secret
          : null;
    const stored = { settings, secret };
    return { stored, before, after: toDto(stored) };
  }
}

function toDto(stored: StoredMailSettings | null): OrgMailSettingsDto {
  if (!stored || stored.settings.mode !== 'smtp') return { mode: 'log' };
  const s = stored.settings as Omit<Extract<OrgMailSettingsDto, { mode: 'smtp' }>, 'passwordSet'>;
  return { ...s, passwordSet: Boolean(stored.secret) };
}
