/** Messages between the soak bench and its agents' child process (soak-agents-child.ts). */

export interface SoakAgentSpec {
  token: string;
  teamId: string;
  /** Index in `urls` of the instance it connects to first. */
  firstUrl: number;
}

export interface SoakAgentsInit {
  type: 'init';
  /** The API instances, as a load balancer would offer them. */
  urls: string[];
  agents: SoakAgentSpec[];
  /** Markers are below this (one bit per marker and agent). */
  maxMarker: number;
}

export interface SoakAgentsDrain {
  type: 'drain';
}

export interface SoakAgentsFinal {
  type: 'final';
  /** Waits up to this long for every agent to be connected (and caught up) before answering. */
  timeoutMs: number;
}

export type SoakAgentsCommand = SoakAgentsInit | SoakAgentsDrain | SoakAgentsFinal;

/** A time an agent's socket was down: from its disconnect to its next connect, then its catch-up. */
export interface SoakGap {
  /** Date.now() at the disconnect. */
  from: number;
  /** Date.now() when connected again (null: still down). */
  to: number | null;
  /** Date.now() when the catch-up list was read (null: not yet, or it failed). */
  caughtUpAt: number | null;
  /** The catch-up: conversation id → its lastMessageAt (ms) as the list showed it. */
  seen: [string, number][];
  reason: string;
}

export interface SoakAgentReport {
  /** One bit per marker whose message.created reached this agent. */
  bits: string;
  gaps: SoakGap[];
  /** Conversations whose conversation.updated told this agent of a change of service. */
  transfers: string[];
  connected: boolean;
  /** Connections to each instance over the run. */
  connects: number[];
}

export type SoakAgentsReply =
  | { type: 'ready'; connected: number; failed: number; firstError: string | null }
  /** Deliveries since the last drain: markers and monotonic arrival times (parallel arrays). */
  | { type: 'arrivals'; markers: number[]; times: number[]; connected: number; catchUps: number; catchUpFailures: number }
  | { type: 'final'; agents: SoakAgentReport[] }
  | { type: 'error'; message: string };

/** The soak's marker in a message body (inbound texts and replies). */
export const soakMarker = (i: number): string => `[soak#${String(i).padStart(8, '0')}]`;
const MARKER = /\[soak#(\d{8})\]/;

export function soakMarkerOf(body: unknown): number | null {
  if (typeof body !== 'string') return null;
  const m = MARKER.exec(body);
  return m ? Number(m[1]) : null;
}

/** The SQL regexp matching the marker (for substring(body from …)). */
export const SOAK_MARKER_SQL = '\\[soak#([0-9]{8})\\]';
