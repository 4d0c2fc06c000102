import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

/**
 * Text for an aria-live region. The region is emptied first so that the same sentence twice
 * is read twice.
 */
export function useAnnouncer(): { message: string; announce(text: string): void } {
  const [message, setMessage] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback((text: string) => {
    setMessage('');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setMessage(text), 100);
  }, []);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return { message, announce };
}

/** The inbox's aria-live region, for any screen to speak through. */
export const AnnounceContext = createContext<(text: string) => void>(() => undefined);

export function useAnnounce(): (text: string) => void {
  return useContext(AnnounceContext);
}
