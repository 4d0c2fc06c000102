import { useCallback, useEffect, useRef, useState } from 'react';

/** What the agent was writing in one conversation: kept in localStorage across navigation and reloads. */
export interface Draft {
  mode: 'reply' | 'note';
  body: string;
  /** Channel picked for a reply; null = the default (channel of the citizen's last message). */
  channelId: string | null;
  /** The conversation as it was when the agent started writing: a send carries its version. */
  base: DraftBase | null;
}

export interface DraftBase {
  version: number;
  status: string;
  assigneeId: string | null;
  teamId: string;
  priority: string;
  lastMessageAt: string;
}

export const EMPTY_DRAFT: Draft = { mode: 'reply', body: '', channelId: null, base: null };
const PREFIX = 'guichet.draft.';

export function draftKey(conversationId: string): string {
  return `${PREFIX}${conversationId}`;
}

export function loadDraft(conversationId: string): Draft {
  try {
    const raw = localStorage.getItem(draftKey(conversationId));
    if (!raw) return EMPTY_DRAFT;
    const value = JSON.parse(raw) as Partial<Draft>;
    return {
      mode: value.mode === 'note' ? 'note' : 'reply',
      body: typeof value.body === 'string' ? value.body : '',
      channelId: typeof value.channelId === 'string' ? value.channelId : null,
      base: value.base && typeof value.base === 'object' && typeof value.base.version === 'number' ? value.base : null,
    };
  } catch {
    return EMPTY_DRAFT;
  }
}

export function saveDraft(conversationId: string, draft: Draft): void {
  try {
    if (!draft.body && draft.mode === 'reply' && !draft.channelId) localStorage.removeItem(draftKey(conversationId));
    else localStorage.setItem(draftKey(conversationId), JSON.stringify(draft));
  } catch {
    // Storage full or unavailable: the draft lives in memory for this screen.
  }
}

export function clearDraft(conversationId: string): void {
  try {
    localStorage.removeItem(draftKey(conversationId));
  } catch {
    // ignore
  }
}

/** The draft of a conversation, written through to localStorage (debounced) and flushed on unmount. */
export function useDraft(conversationId: string): [Draft, (update: Partial<Draft>) => void, () => void] {
  const [draft, setDraft] = useState<Draft>(() => loadDraft(conversationId));
  const latest = useRef(draft);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const update = useCallback(
    (patch: Partial<Draft>) => {
      setDraft((prev) => {
        const next = { ...prev, ...patch };
        latest.current = next;
        return next;
      });
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => saveDraft(conversationId, latest.current), 300);
    },
    [conversationId],
  );
  const clear = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    latest.current = { ...EMPTY_DRAFT, mode: latest.current.mode, channelId: latest.current.channelId, base: null };
    setDraft(latest.current);
    clearDraft(conversationId);
  }, [conversationId]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      saveDraft(conversationId, latest.current);
    },
    [conversationId],
  );
  return [draft, update, clear];
}

/** Forgets every draft: a shared front-desk computer keeps no citizen's words after a sign-out. */
export function clearAllDrafts(): void {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX)) localStorage.removeItem(key);
    }
  } catch {
    // ignore
  }
}
