import { CHANNEL_CAPABILITIES } from '@guichet/contracts';
import type { ChannelAdapter, OutboundRequest, SendResult } from '../adapter';
import { GraphClient, type GraphResult } from './graph-client';
import { metaSendPolicy } from './meta-window';

export type MetaKind = 'messenger' | 'instagram';

export const META_LABELS: Record<MetaKind, string> = { messenger: 'Messenger', instagram: 'Instagram' };
/** Send API text limits: 2,000 characters on Messenger, 1,000 on Instagram. */
export const META_TEXT_LIMITS: Record<MetaKind, number> = { messenger: 2000, instagram: 1000 };
/** Prefix of `message.metadata` on our sends: the echo tells which Guichet message it was. */
export const META_ECHO_METADATA_PREFIX = 'guichet:';

/** The Graph node that sends for this channel: the page, or the Instagram professional account. */
export function metaAccountId(kind: MetaKind, config: Record<string, unknown>): string | undefined {
  const v = kind === 'messenger' ? config.pageId : config.instagramAccountId;
  return typeof v === 'string' && v ? v : undefined;
}

/** Splits a long reply at paragraph, line or word boundaries within the provider's limit. */
export function splitMetaText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'));
    if (cut < limit / 2) cut = window.lastIndexOf(' ');
    if (cut < limit / 2) cut = limit;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

const attachmentType = (contentType: string) =>
  contentType.startsWith('image/')
    ? 'image'
    : contentType.startsWith('video/')
      ? 'video'
      : contentType.startsWith('audio/')
        ? 'audio'
        : 'file';

interface SendApiAnswer {
  recipient_id?: string;
  message_id?: string;
}

/**
 * Messenger and Instagram Direct through the Send API (`POST /{account-id}/messages`): a plain
 * RESPONSE within 24 h of the citizen's last message on this channel kind, the HUMAN_AGENT tag
 * up to 7 days, nothing beyond (refused before any call).
 */
export class MetaAdapter implements ChannelAdapter {
  /**
   * An interrupted send goes to an agent, not out again. The Send API has no idempotency key and
   * nothing to look a send up by: its `metadata` (`guichet:<message id>`) comes back only in the
   * `message_echoes` webhook — when the page subscribes to echoes, the echo of the first attempt
   * already recorded its mid and moved the message to `sent` (meta-webhook.service.ts `onEcho`),
   * and a late echo still does. The page's Conversations API (`/{page-id}/conversations?user_id=…`,
   * then the thread's messages) lists text and times but not that metadata, and a long reply went
   * out in several parts, any of which may have left: matching them is guesswork. A duplicate on
   * Messenger or Instagram stays in the citizen's thread for good, so the message waits, visibly
   * interrupted, for an agent to check the thread and send it again or not.
   */
  readonly interrupted = 'agent';

  constructor(readonly kind: MetaKind) {}

  checkReply(context: { lastInboundAt: Date | null; now: Date }): string | null {
    const policy = metaSendPolicy(
      context.lastInboundAt,
      context.now,
      META_LABELS[this.kind],
      CHANNEL_CAPABILITIES[this.kind].replyWindowHours,
    );
    return policy.allowed ? null : policy.reason;
  }

  async send(request: OutboundRequest): Promise<SendResult> {
    const label = META_LABELS[this.kind];
    const policy = metaSendPolicy(
      request.conversation.lastInboundAt,
      new Date(),
      label,
      CHANNEL_CAPABILITIES[this.kind].replyWindowHours,
    );
    if (!policy.allowed) return { ok: false, temporary: false, reason: policy.reason };
    const accountId = metaAccountId(this.kind, request.channel.config);
    if (!accountId)
      return { ok: false, temporary: false, reason: `identifiant du compte ${label} manquant dans la configuration du canal` };
    if (!request.to) return { ok: false, temporary: false, reason: `le citoyen n'a pas d'identifiant ${label}` };
    const client = GraphClient.from(request.channel.config);
    const envelope = {
      recipient: { id: request.to.value },
      messaging_type: policy.messagingType,
      ...(policy.messagingType === 'MESSAGE_TAG' ? { tag: policy.tag } : {}),
    };
    const metadata = `${META_ECHO_METADATA_PREFIX}${request.message.id}`;
    const results: GraphResult<SendApiAnswer>[] = [];
    let firstMid: string | undefined;
    const record = (r: GraphResult<SendApiAnswer>) => {
      results.push(r);
      if (r.ok && !firstMid) firstMid = r.data.message_id;
      return r;
    };
    for (const text of splitMetaText(request.message.body, META_TEXT_LIMITS[this.kind])) {
      const r = record(await client.post<SendApiAnswer>(`${accountId}/messages`, { ...envelope, message: { text, metadata } }));
      if (!r.ok) return this.failure(r, results.length > 1);
    }
    for (const a of request.message.attachments) {
      const form = new FormData();
      form.set('recipient', JSON.stringify(envelope.recipient));
      form.set('messaging_type', envelope.messaging_type);
      if (policy.messagingType === 'MESSAGE_TAG') form.set('tag', policy.tag);
      form.set(
        'message',
        JSON.stringify({ attachment: { type: attachmentType(a.contentType), payload: { is_reusable: false } }, metadata }),
      );
      form.set('filedata', new Blob([new Uint8Array(a.content)], { type: a.contentType }), a.fileName);
      const r = record(await client.postForm<SendApiAnswer>(`${accountId}/messages`, form));
      if (!r.ok) return this.failure(r, results.length > 1);
    }
    if (!results.length) return { ok: false, temporary: false, reason: 'message vide' };
    return { ok: true, status: 'sent', externalId: firstMid };
  }

  private failure(r: Extract<GraphResult<unknown>, { ok: false }>, partial: boolean): SendResult {
    // Once part of a reply went out, a retry would send that part twice: fail for the agent to see.
    if (partial) return { ok: false, temporary: false, reason: `envoi partiel : ${r.reason}` };
    return { ok: false, temporary: r.temporary, reason: r.reason };
  }
}

export const messengerAdapter = new MetaAdapter('messenger');
export const instagramAdapter = new MetaAdapter('instagram');
