import { lazy, type ComponentType } from 'react';

const RELOADED_KEY = 'guichet.reloadedForChunk';

/**
 * React.lazy for a screen loaded when opened. A tab opened before a new version was deployed asks
 * for a chunk that no longer exists: the page then reloads once, to the new version's files.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(async () => {
    try {
      const component = await load();
      sessionStorage.removeItem(RELOADED_KEY);
      return { default: component };
    } catch (error) {
      if (sessionStorage.getItem(RELOADED_KEY)) throw error;
      sessionStorage.setItem(RELOADED_KEY, '1');
      window.location.reload();
      return new Promise<never>(() => {});
    }
  });
}
