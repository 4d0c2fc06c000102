import type { AgentDto, AgentNotificationDto, ChannelKind, ConversationDto, MessageDto } from '@guichet/contracts';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLatest } from '../../lib/use-latest';
import { CHANNEL_ICONS, channelLabel, contactName } from '../../lib/labels';
import { DEFAULT_ROUTE, inboxHref } from '../../lib/router';

/** What the agent is told of: something arrived or was handed to them, never their own action. */
export interface Toast {
  id: string;
  kind: 'conversation' | 'message' | AgentNotificationDto['kind'];
  conversationId: string;
  citizen: string;
  channel: ChannelKind | null;
  /** The first words of the message (or the handover note). */
  excerpt: string;
  by: string | null;
}

const VISIBLE_MS = 10_000;
const SAME_FILE_MS = 5_000;
const MAX_TOASTS = 4;

/** The agent's own alert settings, kept in this browser per agent. */
export interface AlertSettings {
  sound: boolean;
  desktop: boolean;
}

const settingsKey = (agentId: string) => `guichet.alerts.${agentId}`;

export function readAlertSettings(agentId: string): AlertSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(settingsKey(agentId)) ?? '{}') as Partial<AlertSettings>;
    return { sound: saved.sound === true, desktop: saved.desktop === true };
  } catch {
    return { sound: false, desktop: false };
  }
}

/** The agent has Guichet in front of them: its tab shown, and its window the one in use. */
function looking(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/** The first words of a text, on one line. */
export function firstWords(text: string, max = 90): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : max)}…`;
}

/** A short two-tone chime, made on the spot (no sound file to ship). */
function chime(): void {
  try {
    const ctx = new AudioContext();
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.08, ctx.currentTime + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.15 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.15);
      osc.stop(ctx.currentTime + i * 0.15 + 0.3);
    }
    setTimeout(() => void ctx.close(), 1000);
  } catch {
    // No audio output: the toast is enough.
  }
}

/**
 * The agent's notifications: toasts for a new conversation in their services' queue, a citizen's
 * message on a file assigned to them, a file handed to them; the count in the tab title; a
 * chime and a desktop notification when the agent turned them on.
 */
export function useAgentNotifications(me: AgentDto, openConversationId: string | null) {
  const { t } = useTranslation();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [settings, setSettingsState] = useState<AlertSettings>(() => readAlertSettings(me.id));
  /** When each file was last told of (new, handed over, mentioned), its messages aside. */
  // The files just told of, with the last message the news covered (server time).
  const toldOf = useRef(new Map<string, { at: number; upTo: number }>());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: string) => {
    setToasts((list) => list.filter((x) => x.id !== id));
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
  }, []);

  const settingsRef = useLatest(settings);
  const push = useCallback(
    (toast: Omit<Toast, 'id'>, covers?: ConversationDto) => {
      const now = Date.now();
      if (covers) toldOf.current.set(covers.id, { at: now, upTo: Date.parse(covers.lastMessageAt) });
      const id = `${toast.conversationId}-${now}-${Math.random().toString(36).slice(2, 6)}`;
      setToasts((list) => [...list, { ...toast, id }].slice(-MAX_TOASTS));
      // Shown for a while when the agent is looking; kept (and counted in the title) while the tab
      // is hidden or another window is in front.
      if (looking())
        timers.current.set(
          id,
          setTimeout(() => dismiss(id), VISIBLE_MS),
        );
      const s = settingsRef.current;
      if (s.sound) chime();
      // On the desktop when the agent is not looking at Guichet: another tab, or another
      // application in front (the civil registry software, a mail client) with Guichet behind it.
      if (s.desktop && 'Notification' in window && Notification.permission === 'granted' && !looking()) {
        const n = new Notification(t(`toast.title.${toast.kind}`, { name: toast.by ?? '' }), {
          body: `${toast.citizen} · ${channelLabel(t, toast.channel)}\n${toast.excerpt}`,
          tag: toast.conversationId,
        });
        n.onclick = () => {
          window.focus();
          window.location.hash = inboxHref({ ...DEFAULT_ROUTE, conversationId: toast.conversationId });
          n.close();
        };
      }
    },
    [dismiss, t, settingsRef],
  );

  // Back on the tab or the window: the toasts kept meanwhile start their countdown.
  useEffect(() => {
    const onVisible = () => {
      if (!looking()) return;
      setToasts((list) => {
        for (const x of list)
          if (!timers.current.has(x.id))
            timers.current.set(
              x.id,
              setTimeout(() => dismiss(x.id), VISIBLE_MS),
            );
        return list;
      });
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [dismiss]);
  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((timer) => clearTimeout(timer));
  }, []);

  // "(2) Guichet": what waits for the agent, in the tab title.
  const baseTitle = useRef(document.title);
  useEffect(() => {
    document.title = toasts.length ? `(${toasts.length}) ${baseTitle.current}` : baseTitle.current;
  }, [toasts.length]);
  useEffect(() => {
    const title = baseTitle.current;
    return () => {
      document.title = title;
    };
  }, []);

  const onScreen = (conversationId: string) => conversationId === openConversationId && looking();

  const onNewConversation = (c: ConversationDto) => {
    // A new file in my services' queue (one I start myself is assigned to me: not news; nor is one
    // filed as it opens, like an event registration's, until the citizen writes in it).
    if (c.assigneeId !== null || !me.teamIds.includes(c.teamId) || isFiled(c)) return;
    push(
      {
        kind: 'conversation',
        conversationId: c.id,
        citizen: contactName(t, c.contact),
        channel: c.lastChannelKind,
        excerpt: firstWords(c.snippet ?? c.subject ?? ''),
        by: null,
      },
      c,
    );
  };
  const onNewMessage = (m: MessageDto, c: ConversationDto | undefined) => {
    if (m.direction !== 'inbound' || (m.kind !== 'message' && m.kind !== 'call')) return;
    if (!c || c.assigneeId !== me.id || onScreen(c.id)) return;
    // A new file (or one handed over as it arrives) and the message it came with are one piece of
    // news; a later message is news of its own, however soon it follows.
    const told = toldOf.current.get(c.id);
    if (told && Date.now() - told.at < SAME_FILE_MS && Date.parse(m.createdAt) <= told.upTo) return;
    push({
      kind: 'message',
      conversationId: c.id,
      citizen: contactName(t, c.contact),
      channel: m.channelKind,
      excerpt: firstWords(m.body),
      by: null,
    });
  };
  const onAgentNotified = (n: AgentNotificationDto) => {
    if (n.byAgentId === me.id) return;
    const c = n.conversation;
    push(
      {
        kind: n.kind,
        conversationId: c.id,
        citizen: contactName(t, c.contact),
        channel: c.lastChannelKind,
        excerpt: n.dueAt
          ? t('toast.dueAt', { date: new Date(n.dueAt).toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short' }) })
          : firstWords(n.note ?? c.snippet ?? c.subject ?? ''),
        by: n.byAgentName,
      },
      c,
    );
  };

  const setSettings = (next: AlertSettings) => {
    setSettingsState(next);
    localStorage.setItem(settingsKey(me.id), JSON.stringify(next));
  };

  return { toasts, dismiss, settings, setSettings, onNewConversation, onNewMessage, onAgentNotified };
}

/** The toasts, bottom right; screen readers hear the same news through the inbox's aria-live region. */
/** A file opened already resolved or closed (an event registration's) asks nothing of anyone yet. */
export const isFiled = (c: Pick<ConversationDto, 'status'>) => c.status === 'resolved' || c.status === 'closed';

export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss(id: string): void }) {
  const { t } = useTranslation();
  if (!toasts.length) return null;
  return (
    <section className="toasts" aria-label={t('toast.region')} data-testid="toasts">
      <ul>
        {toasts.map((x) => (
          <li key={x.id} className={`toast toast--${x.kind}`} data-testid="toast">
            <p className="toast__title">{t(`toast.title.${x.kind}`, { name: x.by ?? t('toast.someone') })}</p>
            <p className="toast__who">
              <span aria-hidden="true">{x.channel ? CHANNEL_ICONS[x.channel] : '•'} </span>
              <strong>{x.citizen}</strong> · {channelLabel(t, x.channel)}
            </p>
            {x.excerpt ? <p className="toast__excerpt">{x.excerpt}</p> : null}
            <div className="toast__actions">
              <a
                className="button button--primary button--small"
                href={inboxHref({ ...DEFAULT_ROUTE, conversationId: x.conversationId })}
                onClick={() => onDismiss(x.id)}
              >
                {t('toast.open')}
              </a>
              <button type="button" className="button button--secondary button--small" onClick={() => onDismiss(x.id)}>
                {t('toast.dismiss')}
                <span className="visually-hidden"> {x.citizen}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The agent's alert settings: a chime, and desktop notifications (the browser asks once, when turned on). */
export function AlertSettingsMenu({ settings, onChange }: { settings: AlertSettings; onChange(next: AlertSettings): void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const ids = useId();
  const denied = 'Notification' in window && Notification.permission === 'denied';
  return (
    <div className="alert-settings">
      <button
        type="button"
        className="button button--on-dark"
        aria-expanded={open}
        aria-controls={`${ids}-panel`}
        onClick={() => setOpen(!open)}
        data-testid="alert-settings"
      >
        {t('toast.settings')}
      </button>
      {open ? (
        <fieldset className="alert-settings__panel" id={`${ids}-panel`}>
          <legend>{t('toast.settingsLegend')}</legend>
          <label>
            <input
              type="checkbox"
              checked={settings.sound}
              onChange={(e) => onChange({ ...settings, sound: e.target.checked })}
            />{' '}
            {t('toast.sound')}
          </label>
          <label>
            <input
              type="checkbox"
              checked={settings.desktop}
              disabled={denied}
              onChange={(e) => {
                const desktop = e.target.checked;
                onChange({ ...settings, desktop });
                // The browser asks once; a refusal is the browser's to undo.
                if (desktop && 'Notification' in window && Notification.permission === 'default')
                  void Notification.requestPermission().then((p) => {
                    if (p !== 'granted') onChange({ ...settings, desktop: false });
                  });
              }}
            />{' '}
            {t('toast.desktop')}
          </label>
          {denied ? <p className="alert-settings__hint">{t('toast.desktopDenied')}</p> : null}
        </fieldset>
      ) : null}
    </div>
  );
}
