import type { ChannelConfig } from '@guichet/contracts';
import type { ImapFlow } from 'imapflow';
import { contentHash, generatedMessageId, messageIds } from './email-parser';
import { imapClient } from './imap-client.util';

type EmailConfig = ChannelConfig<'email'>;

/** A mail of a conversation whose copies the mailbox may still hold. */
export interface MailCopy {
  /**
   * Its Message-ID, angle brackets kept; for a mail that came without one, the id the ingest made
   * (generatedMessageId, `…@guichet.generated`).
   */
  messageId: string;
  /**
   * contentHash of a mail Guichet imported: a copy is that mail only if its content is the same (a
   * Message-ID may be reused by another sender, whose mail Guichet stored apart). Absent for the
   * mails Guichet sent, whose Message-ID is its own (outboundMessageId).
   */
  contentSha256?: string;
}

export interface MailboxCopiesResult {
  /** Copies removed, per folder searched (0 when it held none). */
  removed: Record<string, number>;
  /** Folders of the configuration the server does not have (any more). */
  missingFolders: string[];
  /**
   * Copies marked \Deleted but not expunged, per folder: the server has no UID EXPUNGE (UIDPLUS)
   * and other mails of the folder are marked \Deleted, which a plain EXPUNGE would remove too.
   */
  flaggedOnly: Record<string, number>;
}

/** Message-IDs per SEARCH (OR of HEADER keys). */
const SEARCH_CHUNK = 50;
const GENERATED = /@guichet\.generated>$/;

/**
 * Where a mailbox keeps copies of a conversation's mails: the folders the ingest reads, the one it
 * moves imported mail to, and the one replies are copied to.
 */
export function mailboxCopyFolders(config: EmailConfig): string[] {
  const folders = [...(config.imap.folders?.length ? config.imap.folders : ['INBOX']), config.moveTo, config.sentFolder];
  return [...new Set(folders.filter((f): f is string => !!f))];
}

/** The Message-ID a mail's header names, as the ingest reads it (an id without brackets gets them). */
function headerMessageId(source: Buffer): string | null {
  const text = source.subarray(0, Math.min(source.length, 256 * 1024)).toString('latin1');
  const value = /^message-id:(.*)$/im.exec(text.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim();
  if (!value) return null;
  return messageIds(value)[0] ?? `<${value}>`;
}

/** What finds a raw mail's copies (one Guichet could not import, say): its Message-ID and its content. */
export function mailCopyOf(raw: Buffer): MailCopy {
  return { messageId: headerMessageId(raw) ?? generatedMessageId(raw), contentSha256: contentHash(raw) };
}

/**
 * Removes from the mailbox the copies of these mails (RGPD erasure): every folder of
 * mailboxCopyFolders is searched by Message-ID (and, for mails that came without one, among the
 * mails without that header), each hit is checked (the exact Message-ID; for an imported mail, the
 * same content), then marked \Deleted and expunged by UID. A mail that is not one of these is never
 * touched, whatever its subject or sender. Running it again finds nothing more. Throws on a
 * connection failure (the caller retries); a missing folder is reported, not an error.
 */
export async function removeMailboxCopies(config: EmailConfig, copies: MailCopy[]): Promise<MailboxCopiesResult> {
  // Message-ID -> the contents that are copies of it (null: any, the id being Guichet's own).
  const wanted = new Map<string, Set<string> | null>();
  const withoutId = new Set<string>();
  for (const c of copies) {
    if (GENERATED.test(c.messageId)) {
      if (c.contentSha256) withoutId.add(c.contentSha256);
      continue;
    }
    const known = wanted.get(c.messageId);
    if (!c.contentSha256 || known === null) wanted.set(c.messageId, null);
    else wanted.set(c.messageId, (known ?? new Set()).add(c.contentSha256));
  }
  const result: MailboxCopiesResult = { removed: {}, missingFolders: [], flaggedOnly: {} };
  if (!wanted.size && !withoutId.size) return result;
  const client = imapClient(config);
  try {
    await client.connect();
    for (const folder of mailboxCopyFolders(config)) {
      try {
        await client.mailboxOpen(folder);
      } catch (e) {
        if (!client.usable) throw e;
        result.missingFolders.push(folder);
        continue;
      }
      const uids = await copiesInFolder(client, wanted, withoutId);
      result.removed[folder] = 0;
      if (!uids.length) continue;
      const range = uids.join(',');
      if (!client.capabilities.has('UIDPLUS')) {
        const flagged = (await client.search({ deleted: true }, { uid: true })) || [];
        const mine = new Set(uids);
        if (flagged.some((u) => !mine.has(u))) {
          await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true });
          result.flaggedOnly[folder] = uids.length;
          continue;
        }
      }
      if (!(await client.messageDelete(range, { uid: true })))
        throw new Error(`le serveur IMAP a refusé la suppression dans le dossier « ${folder} »`);
      result.removed[folder] = uids.length;
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return result;
}

/** The UIDs, in the open folder, of the copies of these mails (each hit checked). */
async function copiesInFolder(
  client: ImapFlow,
  wanted: Map<string, Set<string> | null>,
  withoutId: Set<string>,
): Promise<number[]> {
  const candidates = new Set<number>();
  const ids = [...wanted.keys()];
  for (let i = 0; i < ids.length; i += SEARCH_CHUNK) {
    const or = ids.slice(i, i + SEARCH_CHUNK).map((id) => ({ header: { 'message-id': id } }));
    for (const uid of (await client.search({ or }, { uid: true })) || []) candidates.add(uid);
  }
  // RFC 3501: HEADER with an empty string matches every mail that has the field.
  if (withoutId.size)
    for (const uid of (await client.search({ not: { header: { 'message-id': '' } } }, { uid: true })) || []) candidates.add(uid);
  if (!candidates.size) return [];
  const found: number[] = [];
  const heads = await client.fetchAll([...candidates].join(','), { uid: true, headers: ['message-id'] }, { uid: true });
  for (const head of heads) {
    const id = head.headers ? headerMessageId(head.headers) : null;
    const contents = id === null ? withoutId : wanted.get(id);
    // SEARCH HEADER matches substrings, without case: only the exact id is a copy.
    if (contents === undefined) continue;
    if (contents !== null) {
      // An imported mail: the same content as the one Guichet stored, read one at a time.
      const mail = await client.fetchOne(String(head.uid), { uid: true, source: true }, { uid: true });
      if (!mail || !mail.source || !contents.has(contentHash(mail.source))) continue;
    }
    found.push(head.uid);
  }
  return found.sort((a, b) => a - b);
}
