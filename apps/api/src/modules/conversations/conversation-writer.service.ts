import { Injectable } from '@nestjs/common';
import {
  CHANNEL_CAPABILITIES,
  CHANNEL_KINDS,
  type ChannelKind,
  type ConversationCountedDto,
  type ConversationDto,
  type DeliveryStatus,
  type MessageDto,
} from '@guichet/contracts';
import type { EntityManager } from 'typeorm';
import { Database, type AfterCommit } from '../../common/database';
import { countedBeforeBump, toConversationDto, toCountedDto } from './conversation.mapper';
import { ConversationRepository, type ConversationChanges, type ConversationHistory } from './conversation.repository';
import { DomainEvents } from '../events/domain-event-bus';
import { domainEvent, type DomainEvent } from '../events/domain-events';
import { MessageRepository, type NewAttachment, type NewMessage } from './message.repository';
import { ConversationWriterRepository } from './conversation-writer.repository';
import { ConversationErasureRepository } from './conversation-erasure.repository';

/** The files a writer's caller hands over with a message (bytes already in the blob store). */
export type { NewAttachment } from './message.repository';

/** The one snippet rule lives in common/snippet.ts; writers import it from here. */
import { snippetOf } from '../../common/snippet';
export { SNIPPET_CHARS, snippetOf } from '../../common/snippet';
/** What a change of a conversation's row may set (updateConversation). */
export type { ConversationChanges, ConversationHistory } from './conversation.repository';

/** A conversation retention or an erasure empties (`anonymize`) or removes (`delete`), found under this citizen. */
export interface ErasureItem {
  id: string;
  organizationId: string;
  contactId: string;
  action: 'anonymize' | 'delete';
}

/** The channels whose messages of the town hall are printed letters an agent posts. */
const POSTAL_KINDS: readonly ChannelKind[] = CHANNEL_KINDS.filter((k) => CHANNEL_CAPABILITIES[k].postal);

/** A conversation and one of its messages as the writer's transaction sees them. */
export interface Written {
  conversation: ConversationDto;
  message: MessageDto;
}

/** A delivery status an outbound message moves to (ConversationWriter.messageStatuses). */
export interface StatusChange {
  organizationId: string;
  conversationId: string;
  messageId: string;
  status: DeliveryStatus;
  error?: string | null;
  externalId?: string | null;
}

/** A transaction of the writer: its manager, and where the events go once it commits. */
export interface WriterTx {
  m: EntityManager;
  afterCommit: AfterCommit;
}

/**
 * The one writer of the TypeScript paths that change a conversation (provider events the
 * PL/pgSQL ingest does not store: Meta echoes, reactions, comment changes, calls; agents' writes):
 * one lock per provider event, one snippet rule, one definition of what it returns (the
 * conversation and message DTOs, read in the transaction), and events recorded in the same
 * transaction (durable listeners' jobs with it, in-process listeners after the commit). Messages
 * of citizens go through IngestService (group commit, its outbox).
 */
@Injectable()
export class ConversationWriter {
  constructor(
    private readonly db: Database,
    private readonly repo: ConversationWriterRepository,
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly events: DomainEvents,
    private readonly erasure: ConversationErasureRepository,
  ) {}

  /** A write of the writer's (an agent's, a call's progress): one transaction, events after it. */
  tx<T>(work: (tx: WriterTx) => Promise<T>): Promise<T> {
    return this.db.tx((m, afterCommit) => work({ m, afterCommit }));
  }

  /**
   * A provider event (channel, external id) in one transaction, stored once: under the event's
   * lock, `work` runs only when no message of the channel carries that id yet; else `seen` gets
   * the stored message's id.
   */
  providerEvent<T>(
    channelId: string,
    externalId: string,
    work: (tx: WriterTx) => Promise<T>,
    seen: (messageId: string) => T,
  ): Promise<T> {
    return this.db.tx(async (m, afterCommit) => {
      await this.repo.lockEvent(m, channelId, externalId);
      const existing = await this.messages.existsExternal(m, channelId, externalId);
      return existing ? seen(existing) : work({ m, afterCommit });
    });
  }

  /**
   * A new conversation with a fresh public reference (references.ts), holding the identity
   * written to; the caller adds its first message and tells it.
   */
  openConversation(tx: WriterTx, v: Parameters<ConversationRepository['insert']>[1]): Promise<string> {
    return this.conversations.insert(tx.m, v);
  }

  /** A conversation written with its past (the demo town): the state and dates its history left. */
  setHistory(tx: WriterTx, id: string, history: ConversationHistory): Promise<void> {
    return this.conversations.setHistory(tx.m, id, history);
  }

  /** Inserts a message line (its snippet is the caller's conversation update, `snippetOf`). */
  insertMessage(tx: WriterTx, message: NewMessage): Promise<string> {
    return this.messages.insert(tx.m, message);
  }

  /**
   * The town hall's messages to several conversations (registrants' notices and reminders, not
   * replies), each conversation's activity (snippet by `snippetOf`) written with them, in one
   * statement (MessageRepository.insertOutboundMany); their ids in the order given.
   */
  insertNotices(tx: WriterTx, list: { message: NewMessage; channelKind: ChannelKind | null }[]): Promise<string[]> {
    return this.messages.insertOutboundMany(
      tx.m,
      list.map((n) => n.message),
      list.map((n) => ({ id: n.message.conversationId, snippet: snippetOf(n.message.body), channelKind: n.channelKind })),
    );
  }

  /** The files of a message just inserted (their bytes already in the blob store). */
  async insertAttachments(tx: WriterTx, organizationId: string, messageId: string, list: NewAttachment[]): Promise<void> {
    await this.messages.insertAttachments(tx.m, organizationId, messageId, list);
  }

  /**
   * Files fetched after their message was stored (MMS and WhatsApp media, call recordings, Meta
   * attachments) are attached to it, with what else the caller records of them (`more`), and told
   * as `message.updated` once committed.
   */
  attachFiles(
    organizationId: string,
    conversationId: string,
    messageId: string,
    files: NewAttachment[],
    more?: (tx: WriterTx) => Promise<void>,
  ): Promise<Written> {
    return this.tx(async (tx) => {
      await this.messages.insertAttachments(tx.m, organizationId, messageId, files);
      await more?.(tx);
      return this.tell(tx, organizationId, conversationId, messageId, ({ conversation, message }) => [
        domainEvent('message.updated', organizationId, { conversation, message, change: 'attachments' }),
      ]);
    });
  }

  /**
   * The conversation and message as written, and the events they make (built by `tell` from
   * them), recorded in the transaction: what every write path does after its rows.
   */
  async tell(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    messageId: string,
    tell: (w: Written) => DomainEvent[],
  ): Promise<Written> {
    const conversation = toConversationDto((await this.conversations.findById(organizationId, conversationId, tx.m))!);
    const message = (await this.messages.findDto(messageId, tx.m))!;
    await this.events.record(tx.m, tx.afterCommit, ...tell({ conversation, message }));
    return { conversation, message };
  }

  /**
   * `tell` of several (conversation, message) pairs of one organization, read in three statements
   * and recorded together: what a batch of the town hall's messages makes.
   */
  async tellMany(
    tx: WriterTx,
    organizationId: string,
    written: { conversationId: string; messageId: string }[],
    tell: (w: Written) => DomainEvent[],
  ): Promise<void> {
    if (!written.length) return;
    const conversations = new Map(
      (await this.erasure.findByIds(tx.m, [organizationId], [...new Set(written.map((w) => w.conversationId))])).map((r) => [
        r.id,
        toConversationDto(r),
      ]),
    );
    const messages = new Map(
      (
        await this.messages.findDtos(
          written.map((w) => w.messageId),
          tx.m,
        )
      ).map((d) => [d.id, d]),
    );
    const events = written.flatMap((w) => {
      const conversation = conversations.get(w.conversationId);
      const message = messages.get(w.messageId);
      return conversation && message ? tell({ conversation, message }) : [];
    });
    await this.events.record(tx.m, tx.afterCommit, ...events);
  }

  /** The same, for a write that changed a conversation's row only. */
  async tellConversation(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    tell: (conversation: ConversationDto) => DomainEvent[],
  ): Promise<ConversationDto> {
    const conversation = toConversationDto((await this.conversations.findById(organizationId, conversationId, tx.m))!);
    await this.events.record(tx.m, tx.afterCommit, ...tell(conversation));
    return conversation;
  }

  /**
   * What the counters read of a conversation as it stands in `tx`, locked until it ends: read by a
   * caller about to change it, and told beside its `conversation.updated` (`before`), so screens
   * move their counters by the difference. A system change keeps the version: without this state
   * before, no screen could tell what it moved.
   */
  async counted(tx: WriterTx, organizationId: string, id: string): Promise<ConversationCountedDto | undefined> {
    const row = await this.conversations.findById(organizationId, id, tx.m, true);
    return row ? toCountedDto(row) : undefined;
  }

  /**
   * Changes a conversation's row: an agent's update, or the system's (`system`: due dates set or
   * recomputed) which leaves the version alone. The caller tells it (`tellConversation`), with the
   * state it found (`counted`) when the change may move the counters.
   */
  updateConversation(tx: WriterTx, id: string, changes: ConversationChanges, system = false): Promise<void> {
    return this.conversations.update(tx.m, id, changes, system);
  }

  /** An agent's reply or note: the conversation's activity (snippet by `snippetOf`), first response, read. */
  touchOutbound(
    tx: WriterTx,
    id: string,
    v: { snippet: string; channelKind: ChannelKind | null; isReply: boolean },
  ): Promise<void> {
    return this.conversations.touchOutbound(tx.m, id, v);
  }

  /** A citizen's message stored by an agent (a letter, at the day it came): the file's activity and snippet. */
  touchInbound(tx: WriterTx, id: string, v: { snippet: string; channelKind: ChannelKind; at: Date }): Promise<void> {
    return this.conversations.touchInbound(tx.m, id, { ...v, snippet: snippetOf(v.snippet) });
  }

  /**
   * A printed letter posted by an agent (« envoyé par courrier »), told as `message.updated`; null
   * when it was not waiting to be posted (already posted, not a letter of the town hall). An agent's
   * answer answers the citizen from its posting (Services Publics+ engagement 5): the file's first
   * response when it had none, told as `conversation.updated` with the counters' state before (its
   * response target no longer makes it overdue).
   */
  async letterPosted(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    messageId: string,
    agentId: string,
  ): Promise<Written | null> {
    if (!(await this.messages.markPosted(tx.m, messageId, agentId))) return null;
    const before = await this.counted(tx, organizationId, conversationId);
    const answered = await this.conversations.answeredByPost(tx.m, conversationId, messageId);
    return this.tell(tx, organizationId, conversationId, messageId, ({ conversation, message }) => [
      domainEvent('message.updated', organizationId, { conversation, message, change: 'status' }),
      ...(answered
        ? [domainEvent('conversation.updated', organizationId, { conversation, change: 'posted', ...(before ? { before } : {}) })]
        : []),
    ]);
  }

  /**
   * The town hall's letters of a file not posted yet, withdrawn with `reason` (a request forwarded
   * to the competent administration, CRPA L114-2: that body acknowledges and answers it now, and
   * the citizen must not get the town's paper answer or dates after being told so): `failed`,
   * never offered for printing or posting again; each told as `message.updated`. Their ids.
   */
  async withdrawLetters(
    tx: WriterTx,
    organizationId: string,
    conversationId: string,
    reason: string,
    agentId: string,
  ): Promise<string[]> {
    const ids = await this.messages.withdrawUnposted(tx.m, conversationId, POSTAL_KINDS, reason, agentId);
    await this.tellMany(
      tx,
      organizationId,
      ids.map((messageId) => ({ conversationId, messageId })),
      ({ conversation, message }) => [
        domainEvent('message.updated', organizationId, { conversation, message, change: 'status' }),
      ],
    );
    return ids;
  }

  /** A call's message as its call progresses, and the snippet it gives the file while it is the latest. */
  async rewriteCall(tx: WriterTx, conversationId: string, messageId: string, body: string, meta: Record<string, unknown>) {
    await this.messages.mergeMeta(tx.m, messageId, meta, body);
    await this.conversations.refreshSnippetFrom(tx.m, conversationId, messageId, snippetOf(body));
  }

  /** What the system learns of a message after it was stored (a comment hidden, its post, media errors). */
  mergeMessageMeta(tx: WriterTx, messageId: string, meta: Record<string, unknown>): Promise<void> {
    return this.messages.mergeMeta(tx.m, messageId, meta);
  }

  /** A logged or outgoing call at its own time (not the write's): activity, snippet, first response. */
  touchCall(tx: WriterTx, id: string, v: { snippet: string; outbound: boolean; at: Date }): Promise<void> {
    return this.conversations.touchCall(tx.m, id, { ...v, snippet: snippetOf(v.snippet) });
  }

  /**
   * "À rappeler" set by a missed call or voicemail, or cleared by the callback. Returns what the
   * counters read of the file just before (read locked, so nothing moves it in between) when the
   * flag changed, for the caller's `conversation.updated`; undefined when it was already so.
   */
  async setCallback(
    tx: WriterTx,
    organizationId: string,
    id: string,
    needed: boolean,
  ): Promise<ConversationCountedDto | undefined> {
    const before = await this.counted(tx, organizationId, id);
    if (!before || before.callbackNeeded === needed) return undefined;
    const changed = needed ? await this.conversations.flagCallback(tx.m, id) : await this.conversations.clearCallback(tx.m, id);
    return changed ? before : undefined;
  }

  /** Replaces a placeholder subject the system set (a comment thread's) once the real one is known. */
  replaceSubject(tx: WriterTx, id: string, subject: string, placeholder: string): Promise<boolean> {
    return this.conversations.setSubjectIf(tx.m, id, subject, placeholder);
  }

  /** Legal hold on a file, or lifted (null); the caller locked it and audits the change. */
  setLegalHold(tx: WriterTx, id: string, hold: { reason: string; agentId: string } | null): Promise<Date | null> {
    return this.conversations.setLegalHold(tx.m, id, hold);
  }

  /** A deactivated agent's conversations in progress go back to their service; each is the caller's to tell. */
  releaseAssigned(tx: WriterTx, agentId: string): Promise<{ id: string; contact_id: string }[]> {
    return this.conversations.releaseAssigned(tx.m, agentId);
  }

  /** An identity an agent added is held by these conversations from now on (nothing they show changes). */
  holdIdentity(tx: WriterTx, conversationIds: string[], identityId: string): Promise<void> {
    return this.conversations.holdIdentity(tx.m, conversationIds, identityId);
  }

  /**
   * A contact merge confirmed (or undone) moves conversations from one citizen's file to the
   * other: each moved one is told as `conversation.updated` (change `contact`) after the commit.
   */
  async moveToContact(
    tx: WriterTx,
    organizationId: string,
    ids: string[],
    fromContactId: string,
    toContactId: string,
  ): Promise<string[]> {
    if (!ids.length) return [];
    const moved = await this.conversations.moveToContact(tx.m, ids, fromContactId, toContactId);
    for (const id of moved)
      await this.tellConversation(tx, organizationId, id, (conversation) => [
        domainEvent('conversation.updated', organizationId, {
          conversation,
          change: 'contact',
          before: countedBeforeBump(conversation),
        }),
      ]);
    return moved;
  }

  /**
   * A provider profile's name on the files its identity wrote in that show none yet: told as
   * `conversation.updated`, with the citizen's other open files (their citizen card shows it).
   */
  async nameFromProfile(
    tx: WriterTx,
    organizationId: string,
    who: { contactId: string; identityId: string },
    name: string,
    openIds: string[],
  ): Promise<void> {
    const named = await this.conversations.nameFromProfile(tx.m, who.contactId, who.identityId, name);
    for (const id of new Set([...named, ...openIds]))
      await this.tellConversation(tx, organizationId, id, (conversation) => [
        domainEvent('conversation.updated', organizationId, {
          conversation,
          change: 'contact_profile',
          // Only the files it named changed (version bumped); the others are told with their version.
          ...(named.includes(id) ? { before: countedBeforeBump(conversation) } : {}),
        }),
      ]);
  }

  /** Our own send echoed back by its provider: the provider's id recorded on it (see MessageRepository.linkEcho). */
  linkEcho(channelId: string, messageId: string, externalId: string): Promise<string | null> {
    return this.tx((tx) => this.messages.linkEcho(tx.m, channelId, messageId, externalId));
  }

  /** A provider's read receipt: when the citizen read these outbound messages. */
  async markReadByCitizen(ids: string[], at: Date): Promise<void> {
    if (ids.length) await this.tx((tx) => this.messages.markReadByCitizen(tx.m, ids, at));
  }

  /** A citizen's name rectified (RGPD art. 16): on each of their conversations, told as `conversation.updated`. */
  async renameCitizen(tx: WriterTx, organizationId: string, contactId: string, name: string): Promise<string[]> {
    const renamed = await this.conversations.renameCitizen(tx.m, contactId, name);
    for (const id of renamed)
      await this.tellConversation(tx, organizationId, id, (conversation) => [
        domainEvent('conversation.updated', organizationId, {
          conversation,
          change: 'contact',
          before: countedBeforeBump(conversation),
        }),
      ]);
    return renamed;
  }

  /**
   * The identity locks of these citizens, the ones the ingest takes for a sender and a merge for
   * the files it moves, in the same order (organization, then `kind:value` as a merge sorts
   * them). Held until the transaction ends: a message from one of these citizens waits, then finds
   * its files as this transaction left them (an anonymized file is no longer theirs, so it is
   * never appended to). Advisory locks are re-entrant: taking them twice in a transaction is free.
   */
  async lockCitizens(tx: WriterTx, contactIds: string[]): Promise<void> {
    if (!contactIds.length) return;
    const keys = (await this.erasure.identities(tx.m, [...new Set(contactIds)]))
      .map((k) => ({ ...k, key: `${k.kind}:${k.value}` }))
      .sort((a, b) =>
        a.organization_id === b.organization_id ? a.key.localeCompare(b.key) : a.organization_id < b.organization_id ? -1 : 1,
      );
    await this.erasure.lockIdentities(tx.m, keys);
  }

  /**
   * Retention and erasure (RGPD, issue 16) of a batch of conversations, set-based (see
   * ConversationErasureRepository for why): the citizens' identity locks, then the rows, each
   * re-checked (not anonymized, not on legal hold, still in the citizen's file, and for retention
   * still finished); `alongside` runs on those kept before they change (copies other features
   * hold); then they are anonymized or deleted as their item says. Each anonymized one is told as
   * `conversation.updated` (change `anonymized`) after the commit, so open screens drop what it
   * showed. Returns the items done and the blobs their attachments held (release after commit).
   */
  async erase(
    tx: WriterTx,
    items: ErasureItem[],
    o: { now: Date; finishedOnly: boolean; alongside?: (ids: string[]) => Promise<void> },
  ): Promise<{ done: ErasureItem[]; blobs: string[] }> {
    if (!items.length) return { done: [], blobs: [] };
    await this.lockCitizens(
      tx,
      items.map((i) => i.contactId),
    );
    const locked = new Set((await this.erasure.lock(tx.m, items, o.finishedOnly)).map((r) => r.id));
    const done = items.filter((i) => locked.has(i.id));
    if (!done.length) return { done, blobs: [] };
    await o.alongside?.(done.map((i) => i.id));
    const anonymize = done.filter((i) => i.action !== 'delete').map((i) => i.id);
    const remove = done.filter((i) => i.action === 'delete').map((i) => i.id);
    const orgs = [...new Set(done.map((i) => i.organizationId))];
    // Their last state, for those who had them on screen (read before they go).
    const removed = remove.length ? await this.erasure.findByIds(tx.m, orgs, remove) : [];
    const blobs = [
      ...(anonymize.length ? await this.erasure.anonymize(tx.m, anonymize, o.now) : []),
      ...(remove.length ? await this.erasure.delete(tx.m, remove) : []),
    ];
    const anonymized = anonymize.length ? await this.erasure.findByIds(tx.m, orgs, anonymize) : [];
    await this.events.record(
      tx.m,
      tx.afterCommit,
      ...anonymized.map((r) => {
        const conversation = toConversationDto(r);
        return domainEvent('conversation.updated', r.organization_id, {
          conversation,
          change: 'anonymized',
          before: countedBeforeBump(conversation),
        });
      }),
      ...removed.map((r) => domainEvent('conversation.deleted', r.organization_id, { conversation: toConversationDto(r) })),
    );
    return { done, blobs: [...new Set(blobs)] };
  }

  /** A conversation marked (or no longer) a rights request: nothing of its row changes, told all the same. */
  async tellRightsRequest(tx: WriterTx, organizationId: string, id: string): Promise<void> {
    await this.tellConversation(tx, organizationId, id, (conversation) => [
      domainEvent('conversation.updated', organizationId, { conversation, change: 'rights_request' }),
    ]);
  }

  /**
   * An agent opened an unread conversation: read, told as `conversation.updated` after the
   * commit. Null when it was not unread (any more): nothing changed, nothing told.
   */
  markRead(organizationId: string, id: string): Promise<ConversationDto | null> {
    return this.tx(async (tx) => {
      if (!(await this.conversations.markRead(id, tx.m))) return null;
      return this.tellConversation(tx, organizationId, id, (conversation) => [
        domainEvent('conversation.updated', organizationId, { conversation, change: 'read' }),
      ]);
    });
  }

  /**
   * An outbound message's delivery status moves (the sending worker's result, a provider's
   * callback): told as `message.updated` after the commit.
   */
  messageStatus(
    organizationId: string,
    conversationId: string,
    messageId: string,
    status: DeliveryStatus,
    v: { error?: string | null; externalId?: string | null } = {},
  ): Promise<Written> {
    return this.tx(async (tx) => {
      await this.messages.setStatus(tx.m, messageId, status, v);
      return this.tell(tx, organizationId, conversationId, messageId, ({ conversation, message }) => [
        domainEvent('message.updated', organizationId, { conversation, message, change: 'status' }),
      ]);
    });
  }

  /**
   * A delivery status already written on its own (the sending worker's claim, `sending`, one
   * statement committed before the provider call), told as `messageStatus` tells it. Its reads need
   * no transaction of their own (nothing here must commit with them): two statements a send.
   */
  messageStatusTold(organizationId: string, conversationId: string, messageId: string): Promise<Written> {
    return this.db.untransacted((m, afterCommit) =>
      this.tell({ m, afterCommit }, organizationId, conversationId, messageId, ({ conversation, message }) => [
        domainEvent('message.updated', organizationId, { conversation, message, change: 'status' }),
      ]),
    );
  }

  /**
   * `messageStatus` of several messages (a group of sends' outcomes): one transaction, one
   * statement for the statuses, and the events told per organization (`tellMany`, two reads).
   */
  async messageStatuses(list: StatusChange[]): Promise<void> {
    if (!list.length) return;
    await this.tx(async (tx) => {
      await this.messages.setStatuses(
        tx.m,
        list.map((c) => ({ id: c.messageId, status: c.status, error: c.error, externalId: c.externalId })),
      );
      await this.tellStatuses(tx, list);
    });
  }

  /** `messageStatusTold` of several messages (a group's claims, committed together), without a transaction. */
  messageStatusesTold(list: Omit<StatusChange, 'status'>[]): Promise<void> {
    return this.db.untransacted((m, afterCommit) => this.tellStatuses({ m, afterCommit }, list));
  }

  /** `message.updated` (change `status`) of each message, its organization's in one `tellMany`. */
  private async tellStatuses(tx: WriterTx, list: Omit<StatusChange, 'status'>[]): Promise<void> {
    const byOrganization = new Map<string, { conversationId: string; messageId: string }[]>();
    for (const c of list) byOrganization.set(c.organizationId, [...(byOrganization.get(c.organizationId) ?? []), c]);
    for (const [organizationId, written] of byOrganization)
      await this.tellMany(tx, organizationId, written, ({ conversation, message }) => [
        domainEvent('message.updated', organizationId, { conversation, message, change: 'status' }),
      ]);
  }
}
