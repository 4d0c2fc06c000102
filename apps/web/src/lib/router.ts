import { CONVERSATION_STATUSES, type ConversationStatus } from '@guichet/contracts';
import { useSyncExternalStore } from 'react';

/**
 * A hand-written hash router: the whole inbox state worth sharing or reloading lives in the hash.
 *   #/conversations?view=mine&status=open
 *   #/conversations/<id>?view=team-<teamId>&status=pending
 */

/** Inbox views: mine | unassigned | all | overdue | due-soon | team-<teamId>. */
export type InboxView =
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'all' }
  /** Files in progress past their due date, earliest first (issue 13). */
  | { kind: 'overdue' }
  /** Files in progress due within 48 hours, earliest first. */
  | { kind: 'due-soon' }
  | { kind: 'team'; teamId: string };

export interface InboxRoute {
  view: InboxView;
  status: ConversationStatus;
  conversationId: string | null;
  /**
   * Search (API `q`); empty when not searching. A search covers every conversation the agent may
   * see, every status; the view and the status are filters the agent adds (`inView`, `inStatus`).
   */
  q: string;
  inView?: boolean;
  inStatus?: boolean;
  /** Only files carrying this label (`etiquette=`), in any view. */
  labelId?: string;
}

export const DEFAULT_ROUTE: InboxRoute = { view: { kind: 'mine' }, status: 'open', conversationId: null, q: '' };

/** The services' mail returns (bounces about nothing Guichet sent): `#/retours-messagerie`. */
export const MAIL_RETURNS_HREF = '#/retours-messagerie';

export function isMailReturnsHash(hash: string): boolean {
  return /^#\/retours-messagerie\/?(\?|$)/.test(hash);
}

/** The supervisor board: `#/tableau`. */
export const BOARD_HREF = '#/tableau';

/** A new conversation started by the agent: `#/nouvelle`. */
export const NEW_CONVERSATION_HREF = '#/nouvelle';

export function isNewConversationHash(hash: string): boolean {
  return /^#\/nouvelle\/?(\?|$)/.test(hash);
}

/** A paper letter received at the town hall, registered by an agent: `#/courrier`. */
export const REGISTER_LETTER_HREF = '#/courrier';

export function isRegisterLetterHash(hash: string): boolean {
  return /^#\/courrier\/?(\?|$)/.test(hash);
}

/** The administration screens: `#/admin/<section>` (features/admin/admin-page.tsx). */
export const ADMIN_HREF = '#/admin/organisation';

export function isAdminHash(hash: string): boolean {
  return /^#\/admin(\/|\?|$)/.test(hash);
}

/** Municipal events (issue 17): `#/evenements` (the list), `#/evenements/<id>` (its registrants). */
export const EVENTS_HREF = '#/evenements';

export function isEventsHash(hash: string): boolean {
  return /^#\/evenements(\/|\?|$)/.test(hash);
}

/** The event whose registrants are shown, if any. */
export function eventIdFromHash(hash: string): string | null {
  return /^#\/evenements\/([0-9a-f-]{36})(\?|$)/.exec(hash)?.[1] ?? null;
}

export const eventHref = (id: string) => `${EVENTS_HREF}/${id}`;

/** A contact merge side by side (supervisors and admins): `#/fusions/<id>`. */
export function mergeIdFromHash(hash: string): string | null {
  return /^#\/fusions\/([0-9a-f-]{36})(\?|$)/.exec(hash)?.[1] ?? null;
}

export const mergeHref = (id: string) => `#/fusions/${id}`;

/** The audit log (supervisors, admins), filtered on a citizen or a conversation: `#/admin/journal?contactId=…`. */
export const AUDIT_HREF = '#/admin/journal';

export function auditHref(filter: { contactId: string } | { conversationId: string }): string {
  return `${AUDIT_HREF}?${new URLSearchParams(filter).toString()}`;
}

/** The citizen and the conversation an audit log address filters on (ids only; anything else is left out). */
export function auditFilterFromHash(hash: string): { contactId?: string; conversationId?: string } {
  const search = new URLSearchParams(hash.split('?')[1] ?? '');
  const id = (k: string) => {
    const v = search.get(k);
    return v && /^[0-9a-f-]{36}$/i.test(v) ? v : undefined;
  };
  const contactId = id('contactId');
  const conversationId = id('conversationId');
  return { ...(contactId ? { contactId } : {}), ...(conversationId ? { conversationId } : {}) };
}

/** The reports (supervisors and admins): `#/rapports`. */
export const REPORTS_HREF = '#/rapports';

export function isReportsHash(hash: string): boolean {
  return /^#\/rapports\/?(\?|$)/.test(hash);
}

export function isBoardHash(hash: string): boolean {
  return /^#\/tableau\/?(\?|$)/.test(hash);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const hash = href.startsWith('#') ? href : `#${href}`;
  if (hash === window.location.hash) return;
  if (options.replace) {
    window.history.replaceState(window.history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

function parseView(value: string | null): InboxView {
  if (value === 'unassigned' || value === 'all' || value === 'mine' || value === 'overdue' || value === 'due-soon')
    return { kind: value };
  if (value?.startsWith('team-') && value.length > 5) return { kind: 'team', teamId: value.slice(5) };
  return DEFAULT_ROUTE.view;
}

export function viewId(view: InboxView): string {
  return view.kind === 'team' ? `team-${view.teamId}` : view.kind;
}

function isStatus(value: string | null): value is ConversationStatus {
  return value !== null && (CONVERSATION_STATUSES as readonly string[]).includes(value);
}

export function parseInboxRoute(hash: string): InboxRoute {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(search);
  const match = /^\/conversations\/([^/]+)\/?$/.exec(path);
  const status = params.get('status');
  return {
    view: parseView(params.get('view')),
    status: isStatus(status) ? status : DEFAULT_ROUTE.status,
    conversationId: match ? decodeURIComponent(match[1]!) : null,
    q: params.get('q')?.trim() ?? '',
    ...(params.get('dansVue') === '1' ? { inView: true } : {}),
    ...(params.get('dansStatut') === '1' ? { inStatus: true } : {}),
    ...(params.get('etiquette') ? { labelId: params.get('etiquette')! } : {}),
  };
}

export function inboxHref(route: InboxRoute): string {
  const params = new URLSearchParams({ view: viewId(route.view), status: route.status });
  if (route.q) {
    params.set('q', route.q);
    if (route.inView) params.set('dansVue', '1');
    if (route.inStatus) params.set('dansStatut', '1');
  }
  if (route.labelId) params.set('etiquette', route.labelId);
  const path = route.conversationId ? `/conversations/${encodeURIComponent(route.conversationId)}` : '/conversations';
  return `#${path}?${params.toString()}`;
}

export function useInboxRoute(): InboxRoute {
  return parseInboxRoute(useHash());
}
