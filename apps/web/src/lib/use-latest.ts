import { useLayoutEffect, useRef } from 'react';

/**
 * A ref that always holds the latest rendered value, for event handlers and effects that must
 * not re-subscribe when it changes. Updated after each commit (React forbids writing refs while
 * rendering), before any effect declared later in the component runs.
 */
export function useLatest<T>(value: T) {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
