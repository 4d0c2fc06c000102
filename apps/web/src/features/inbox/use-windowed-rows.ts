import { useCallback, useLayoutEffect, useState, type RefObject } from 'react';

/** Height of one list row in px: fixed by CSS (`--conversation-row-height`), which makes windowing exact. */
export const ROW_HEIGHT = 164;
const OVERSCAN = 6;

export interface RowWindow {
  start: number;
  end: number;
  /** Scrolls the pane just enough for row `index` to be fully visible. */
  reveal(index: number): void;
}

/**
 * Windowing for the conversation list: only the rows in (or near) the scrolled viewport of
 * `paneRef` are rendered, so 10,000 loaded conversations cost a few dozen DOM rows.
 */
export function useWindowedRows(
  paneRef: RefObject<HTMLElement | null>,
  listRef: RefObject<HTMLElement | null>,
  count: number,
): RowWindow {
  const [range, setRange] = useState({ start: 0, end: Math.min(count, 30) });

  const measure = useCallback(() => {
    const pane = paneRef.current;
    const list = listRef.current;
    if (!pane || !list) {
      setRange((r) => (r.start === 0 && r.end === Math.min(count, 30) ? r : { start: 0, end: Math.min(count, 30) }));
      return;
    }
    const top = list.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    const viewport = pane.clientHeight || 900;
    const first = Math.floor((pane.scrollTop - top) / ROW_HEIGHT);
    const last = Math.ceil((pane.scrollTop + viewport - top) / ROW_HEIGHT);
    const start = Math.max(0, Math.min(count, first - OVERSCAN));
    const end = Math.max(start, Math.min(count, last + OVERSCAN));
    setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
  }, [paneRef, listRef, count]);

  useLayoutEffect(() => {
    measure();
    const pane = paneRef.current;
    if (!pane) return;
    pane.addEventListener('scroll', measure, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(pane);
    return () => {
      pane.removeEventListener('scroll', measure);
      observer?.disconnect();
    };
  }, [measure, paneRef]);

  const reveal = useCallback(
    (index: number) => {
      const pane = paneRef.current;
      const list = listRef.current;
      if (!pane || !list) return;
      const header = pane.querySelector<HTMLElement>('.pane-header')?.offsetHeight ?? 0;
      const top = list.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
      const rowTop = top + index * ROW_HEIGHT;
      if (rowTop - header < pane.scrollTop) pane.scrollTop = rowTop - header;
      else if (rowTop + ROW_HEIGHT > pane.scrollTop + pane.clientHeight) pane.scrollTop = rowTop + ROW_HEIGHT - pane.clientHeight;
      measure();
    },
    [paneRef, listRef, measure],
  );

  return { ...range, reveal };
}
