import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { htmlToText, sanitizeEmailHtml } from '@guichet/channels';
import {
  countedOf,
  findReference,
  normalizeIdentity,
  type AttachmentDto,
  type ChannelKind,
  type IdentityKind,
  type InboundMessage,
  type InboundSender,
  type MessageDto,
  type MessageKind,
} from '@guichet/contracts';
import { badRequest, notFound, organizationClosed } from '../../common/errors';
import { GroupCommit } from '../../common/group-commit';
import { pgClean, pgJson } from '../../common/pg-text';
import { Metrics } from '../../infra/metrics/metrics';
import { BlobStore } from '../blobs/blob-store';
import { OrphanBlobs, type PutBlob } from '../blobs/orphan-blobs.service';
import { ChannelService } from '../channels/channel.service';
import { toConversationDto } from '../conversations/conversation.mapper';
import { withInlineParts } from '../conversations/inline-parts';
import { ConversationReader } from '../conversations/conversation-reader.service';
import { DomainEvents } from '../events/domain-event-bus';
import { snippetOf } from '../conversations/conversation-writer.service';
import { drawReferences } from '../conversations/references';
import { IngestOutboxRelay, ingestEvents, type IngestEventIds } from './ingest-outbox.relay';
import { IngestRepository, type IngestRow } from './ingest.repository';

export interface IngestResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  /** False when the same (channel, external id) had already been stored. */
  created: boolean;
  newConversation: boolean;
}

export interface IngestOptions {
  /** Route a new conversation to this service instead of the channel's (web form). */
  teamId?: string;
}

/**
 * What guichet_ingest_message() (migration UnverifiedSenders1764500000000) reads from each item
 * (the names are its JSON keys).
 */
interface IngestItem {
  organizationId: string;
  channelId: string;
  channelKind: ChannelKind;
  teamId: string;
  /** Who vouches for the sender: decides how far the message may thread and what it may add to a citizen. */
  sender: InboundSender;
  /** Null only for a tracking-link message. */
  fromKind: IdentityKind | null;
  fromValue: string | null;
  fromName: string | null;
  /** Identities given next to `from`: added to no existing citizen (see the migration). */
  extraIdentities: { kind: IdentityKind; value: string }[];
  threadId: string | null;
  threadExternalIds: string[];
  threadReference: string | null;
  latestOpen: boolean;
  references: string[];
  subject: string | null;
  at: string;
  snippet: string;
  reopen: boolean;
  kind: MessageKind;
  body: string;
  html: string | null;
  externalId: string;
  meta: Record<string, unknown>;
  attachments: AttachmentDto[];
}

/** An item waiting for its batch, with its events' ids (not sent to the function). */
interface Pending {
  item: IngestItem;
  eventIds: IngestEventIds;
}

/** The constraint a PostgreSQL unique violation names, if that is what `e` is. */
function uniqueViolation(e: unknown): string | undefined {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const d = err.driverError ?? err;
  return d.code === '23505' ? d.constraint : undefined;
}

/**
 * Turns a normalized InboundMessage into stored data in ONE transaction: dedupe, contact,
 * threading with the sender check, message and attachments, conversation update. The
 * transaction is one autocommit call of guichet_ingest(), which concurrent messages share
 * (group commit); events go out once it has returned, that is committed: to the in-process
 * listeners from here, to the durable ones through the outbox the same statement writes (when
 * some durable listener waits for them) and its relay.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly repo: IngestRepository,
    private readonly relay: IngestOutboxRelay,
    private readonly channels: ChannelService,
    private readonly reader: ConversationReader,
    private readonly blobs: BlobStore,
    private readonly orphans: OrphanBlobs,
    private readonly events: DomainEvents,
    private readonly metrics: Metrics,
  ) {}

  /** Concurrent messages share transactions: two batches in flight, up to 50 messages each. */
  private readonly commits = new GroupCommit<Pending, IngestRow>((items) => this.commitBatch(items), {
    parallel: 2,
    maxBatch: 50,
  });

  async ingest(received: InboundMessage, options: IngestOptions = {}): Promise<IngestResult> {
    const start = process.hrtime.bigint();
    // The channel's kind, once known: metrics are counted per kind (never per channel or sender).
    const seen: { kind: string } = { kind: 'unknown' };
    try {
      const result = await this.store(received, options, seen);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.ingested(seen.kind, result.created ? 'stored' : 'duplicate', seconds);
      return result;
    } catch (e) {
      this.metrics.ingested(seen.kind, 'rejected', 0);
      throw e;
    }
  }

  private async store(received: InboundMessage, options: IngestOptions, seen: { kind: string }): Promise<IngestResult> {
    // NULs and lone surrogates (form fields, signed webhooks) cannot go into the jsonb batch nor
    // the rows: cleaned here, before anything is derived, so what is stored and what is pushed
    // live are the same text.
    const inbound = pgClean(received);
    // Channels rarely change: the cached lookup spares a query per message on busy channels.
    const channel = await this.channels.resolveCached(inbound.channelId);
    if (!channel) throw notFound('canal');
    seen.kind = channel.kind;
    // An archived town's channels are stopped: whatever still reaches the ingest (a job queued
    // before, a mail fetched in the last seconds) stores nothing (410).
    if (channel.organizationArchived) throw organizationClosed();
    const organizationId = channel.organizationId;
    const sender = inbound.sender ?? 'provider';
    const t = inbound.thread ?? {};
    // Only the tracking link's token says who writes without an identity.
    if (sender === 'tracking-link' ? !t.conversationId : !inbound.from) throw badRequest('expéditeur du message inconnu');
    const from = inbound.from
      ? { kind: inbound.from.kind, value: normalizeIdentity(inbound.from.kind, inbound.from.value) }
      : null;
    const extras = (inbound.extraIdentities ?? []).map((i) => ({ kind: i.kind, value: normalizeIdentity(i.kind, i.value) }));
    if (!inbound.externalId || inbound.externalId.length > 998) throw badRequest('identifiant externe du message invalide');
    const html = inbound.html ? sanitizeEmailHtml(inbound.html) : null;
    const text = (inbound.text || (html ? htmlToText(html) : '')).slice(0, 1_000_000);
    const at = inbound.receivedAt ?? new Date();
    const kind = inbound.kind ?? 'message';

    // Bytes go to the content-addressed store once the message is valid, before the transaction
    // (never a row without bytes); if it fails, the failure path removes what no row uses.
    const files: AttachmentDto[] = [];
    const put: PutBlob[] = [];
    // Ids in ascending order: attachments are listed by (created_at, id), so in the order of the message.
    const ids = (inbound.attachments ?? []).map(() => randomUUID()).sort();
    for (const [i, a] of (inbound.attachments ?? []).entries()) {
      const { sha256, size, created } = await this.blobs.put(a.content);
      put.push({ sha256, created, content: a.content });
      files.push({ id: ids[i]!, fileName: a.fileName, contentType: a.contentType, size, sha256 });
    }

    const subject = inbound.subject?.trim().slice(0, 300) || null;
    // Its events' ids, named now: an outbox row written with the message carries them.
    const eventIds: IngestEventIds = [randomUUID(), randomUUID()];
    const item: IngestItem = {
      organizationId,
      channelId: channel.id,
      channelKind: channel.kind,
      teamId: options.teamId ?? channel.teamId,
      sender,
      fromKind: from?.kind ?? null,
      fromValue: from?.value ?? null,
      fromName: inbound.from?.name?.trim().slice(0, 200) || null,
      extraIdentities: extras,
      threadId: t.conversationId ?? null,
      threadExternalIds: t.inReplyTo?.slice(0, 50) ?? [],
      threadReference: t.reference ?? (subject ? findReference(subject) : null),
      latestOpen: t.latestOpen ?? false,
      references: drawReferences(),
      subject,
      at: at.toISOString(),
      snippet: snippetOf(text),
      reopen: !inbound.autoReply,
      kind,
      body: text,
      html,
      externalId: inbound.externalId,
      meta: { ...(inbound.meta ?? {}), ...(inbound.autoReply ? { autoReply: true } : {}) },
      attachments: files,
    };

    let row: IngestRow;
    try {
      row = await this.commits.submit({ item, eventIds });
    } catch (e) {
      // Whatever failed, the files this message wrote must not stay (the daily sweep is the backstop).
      await this.orphans.discard(put).catch(() => undefined);
      // A twin delivery stored under another identity at the same moment: answer the stored message.
      if (uniqueViolation(e) !== 'message_channel_external_id_key') throw e;
      return this.stored(channel.id, inbound.externalId);
    }
    await (row.created ? this.orphans.ensure(put) : this.orphans.discard(put));
    if (!row.created)
      return {
        messageId: row.message_id,
        conversationId: row.id,
        contactId: row.contact_id,
        created: false,
        newConversation: false,
      };

    const message: MessageDto = {
      id: row.message_id,
      conversationId: row.id,
      direction: 'inbound',
      kind,
      channelId: channel.id,
      channelKind: channel.kind,
      authorAgentId: null,
      body: text,
      htmlBody: html,
      status: 'received',
      error: null,
      attachments: withInlineParts(files, item.meta),
      ...(typeof item.meta.senderDeduced === 'string'
        ? { senderDeduced: item.meta.senderDeduced as MessageDto['senderDeduced'] }
        : {}),
      createdAt: at.toISOString(),
    };
    // Committed: the message first (it is what the agent waits for), then the list row. Listeners
    // never turn a committed message into an error answer (a provider would resend it).
    const conversation = toConversationDto(row);
    // A message moves its file's counters by its status only (service, assignee, callback and due
    // dates stay): its state before is the row's with the status it found.
    const before =
      !row.new_conversation && row.previous_status
        ? { ...countedOf(conversation), status: row.previous_status, version: conversation.version - 1 }
        : undefined;
    const events = ingestEvents(organizationId, conversation, message, row.new_conversation, eventIds, undefined, before);
    if (this.relay.needed) this.relay.offer(events);
    void this.events.emitOutboxed(...events);
    return {
      messageId: row.message_id,
      conversationId: row.id,
      contactId: row.contact_id,
      created: true,
      newConversation: row.new_conversation,
    };
  }

  private async stored(channelId: string, externalId: string): Promise<IngestResult> {
    const existing = (await this.reader.messageByExternalId(channelId, externalId))!;
    return {
      messageId: existing.id,
      conversationId: existing.conversation_id,
      contactId: existing.contact_id,
      created: false,
      newConversation: false,
    };
  }

  /**
   * One guichet_ingest() call for a batch of items, in autocommit: one round trip and one commit
   * for all of them. Items are sorted by sender identity, so that two batches in flight take their
   * identity locks in the same order and never wait on each other in a cycle; tracking-link items
   * (no identity lock) come last. Outbox rows are written only when a durable listener waits.
   */
  private async commitBatch(items: Pending[]): Promise<IngestRow[]> {
    const order = items.map(({ item, eventIds }, i) => ({
      eventIds,
      item,
      i,
      key: item.fromKind ? `${item.fromKind}:${item.fromValue}` : `~${item.threadId}`,
    }));
    order.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    const outbox = this.relay.needed;
    this.metrics.ingestBatch(items.length);
    // Cleaned again as a whole: a length cut (snippet, subject) may have split a surrogate pair.
    const rows = await this.repo.ingest(pgJson(order.map((o) => o.item)), outbox ? order.map((o) => o.eventIds) : null);
    const out = new Array<IngestRow>(items.length);
    for (const row of rows) out[order[row.ord - 1]!.i] = row;
    return out;
  }
}
