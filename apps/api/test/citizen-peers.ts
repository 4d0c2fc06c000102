import { randomBytes } from 'node:crypto';
import { twilioSignature } from '@guichet/channels';
import { expectEventually, type Dovecot, type DovecotUser } from '@guichet/testing';
import type { TestApp } from './harness';

/** A citizen's SMS through the channel's webhook, signed as Twilio signs it; the conversation it went to. */
export async function citizenSms(
  t: TestApp,
  v: { channelId: string; accountSid: string; authToken: string; from: string; to: string; body: string },
): Promise<string> {
  const path = `/webhooks/twilio/${v.channelId}/sms`;
  const params = {
    MessageSid: 'SM' + randomBytes(16).toString('hex'),
    AccountSid: v.accountSid,
    From: v.from,
    To: v.to,
    Body: v.body,
    NumMedia: '0',
  };
  const res = await fetch(t.url + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(v.authToken, t.config.publicUrl + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  if (res.status !== 200) throw new Error(`Twilio webhook answered ${res.status}`);
  // Acknowledged once stored: filed right after.
  await t.webhooksProcessed();
  const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [params.MessageSid]);
  return rows[0].conversation_id as string;
}

/** A citizen's plain-text mail delivered into the town's Dovecot mailbox; the conversation the watcher stored it in. */
export async function citizenMail(
  t: TestApp,
  dovecot: Dovecot,
  box: DovecotUser,
  v: { from: string; to: string; subject: string; body: string },
): Promise<string> {
  const id = `<${randomBytes(8).toString('hex')}@exemple.fr>`;
  await dovecot.append(
    box,
    [
      `From: Citoyen <${v.from}>`,
      `To: ${v.to}`,
      `Subject: ${v.subject}`,
      `Message-ID: ${id}`,
      `Date: ${new Date().toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      v.body,
      '',
    ].join('\r\n'),
  );
  return expectEventually(
    async () => {
      const { rows } = await t.db.query(`SELECT conversation_id FROM message WHERE external_id = $1`, [id]);
      if (rows.length !== 1) throw new Error('not stored yet');
      return rows[0].conversation_id as string;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}
