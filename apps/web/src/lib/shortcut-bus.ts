/** Keyboard shortcuts handled far from where they are pressed: the shell dispatches, screens listen. */
export type ShortcutCommand = 'reply' | 'note' | 'take' | 'resolve' | 'search' | 'next' | 'previous';

const EVENT = 'guichet:shortcut';

export function dispatchShortcut(command: ShortcutCommand): void {
  window.dispatchEvent(new CustomEvent<ShortcutCommand>(EVENT, { detail: command }));
}

export function onShortcut(listener: (command: ShortcutCommand) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<ShortcutCommand>).detail);
  window.addEventListener(EVENT, handler);
  return () => window.removeEventListener(EVENT, handler);
}
