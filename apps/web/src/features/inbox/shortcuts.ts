import { dispatchShortcut } from '../../lib/shortcut-bus';
import { navigate, REGISTER_LETTER_HREF } from '../../lib/router';

export const SHORTCUTS = [
  { keys: 'j', action: 'next' },
  { keys: 'k', action: 'previous' },
  { keys: 'r', action: 'reply' },
  { keys: 'n', action: 'note' },
  { keys: 'a', action: 'take' },
  { keys: 'e', action: 'resolve' },
  { keys: '/', action: 'search' },
  { keys: 'c', action: 'letter' },
  { keys: 'Ctrl+Enter', action: 'send' },
  { keys: 'Ctrl+/', action: 'canned' },
  { keys: 'Esc', action: 'leave' },
  { keys: '?', action: 'help' },
] as const;

/** Inputs where a letter is not text: a shortcut pressed there still works. */
const NOT_TEXT = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/**
 * Whether the key goes into a text field (where letters are text). A select counts: its letters
 * pick an option. Anything else focused (a button, a link, a checkbox, the thread) lets shortcuts work.
 */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target instanceof HTMLInputElement && !NOT_TEXT.has(target.type);
}

/** The global key handler of the inbox: single keys, never while typing in a field. */
export function handleShortcutKey(event: KeyboardEvent, openHelp: () => void): void {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || isTyping(event.target)) return;
  const run = (fn: () => void) => {
    event.preventDefault();
    fn();
  };
  switch (event.key) {
    case 'j':
      return run(() => dispatchShortcut('next'));
    case 'k':
      return run(() => dispatchShortcut('previous'));
    case 'r':
      return run(() => dispatchShortcut('reply'));
    case 'n':
      return run(() => dispatchShortcut('note'));
    case 'a':
      return run(() => dispatchShortcut('take'));
    case 'e':
      return run(() => dispatchShortcut('resolve'));
    case '/':
      return run(() => {
        const search = document.getElementById('inbox-search') as HTMLInputElement | null;
        search?.focus();
        search?.select();
      });
    case 'c':
      return run(() => navigate(REGISTER_LETTER_HREF));
    case '?':
      return run(openHelp);
  }
}
