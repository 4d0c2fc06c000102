/** Messages between the bench and its socket.io client fleet (a child process). */

export interface FleetConnect {
  type: 'connect';
  url: string;
  /** One client per entry; null connects without a token. */
  tokens: (string | null)[];
  /** The event whose payloads carry a marker. */
  event: string;
  parallel: number;
  timeoutMs: number;
  /**
   * Each client also acts as the web app's inbox screen does on conversation events
   * (apps/web/src/realtime/cache-patch.ts): an update of a conversation it has not seen yet (not
   * in its list, no earlier event) and without its state before makes it ask `path` again,
   * coalesced over `throttleMs`; a created one, one seen before, or one telling its state before
   * is patched in place (no request).
   */
  screen?: { path: string; throttleMs: number };
}

export interface FleetCollect {
  type: 'collect';
  /** Answer as soon as this many marked deliveries arrived, or at the timeout. */
  expected: number;
  timeoutMs: number;
}

export interface FleetClose {
  type: 'close';
}

export type FleetCommand = FleetConnect | FleetCollect | FleetClose;

export interface FleetConnected {
  type: 'connected';
  ok: number;
  failed: number;
  firstError: string | null;
}

export interface FleetArrivals {
  type: 'arrivals';
  /** Parallel arrays: the marker of each delivery and its monotonic arrival time (ms). */
  markers: number[];
  times: number[];
  /** Screens only: the requests the events made them send since the last collect, and those not answered 200. */
  refetches: number;
  refetchFailures: number;
}

export interface FleetError {
  type: 'error';
  message: string;
}

export type FleetReply = FleetConnected | FleetArrivals | FleetError;

/** A per-message marker placed in the message body; fixed width keeps payload sizes equal. */
export const markerText = (i: number): string => `[bench#${String(i).padStart(6, '0')}]`;
const MARKER = /\[bench#(\d{6})\]/;

export function markerOf(payload: unknown): number | null {
  const body = (payload as { body?: unknown } | null)?.body;
  if (typeof body !== 'string') return null;
  const m = MARKER.exec(body);
  return m ? Number(m[1]) : null;
}

/** `body` with its marker replaced by message i's. */
export const remark = (body: string, i: number): string => body.replace(MARKER, markerText(i));
