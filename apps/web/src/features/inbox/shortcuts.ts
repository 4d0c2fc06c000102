import { dispatchShortcut } from '../../lib/shortcut-bus';

export const SHORTCUTS = [
  { keys: 'j', action: 'next' },
  { keys: 'k', action: 'previous' },
  { keys: 'r', action: 'reply' },
  { keys: 'n', action: 'note' },
  { keys: 'a', action: 'take' },
  { keys: 'e', action: 'resolve' },
  { keys: '/', action: 'search' },
  { keys: 'Ctrl+Enter', action: 'send' },
  { keys: '?', action: 'help' },
] as const;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
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
    case '?':
      return run(openHelp);
  }
}
