import { useCallback, useEffect, useRef, useState } from 'react';

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
