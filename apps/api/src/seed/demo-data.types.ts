import type { ChannelKind, ConversationStatus, Priority } from '@guichet/contracts';

export type TeamSlug =
  | 'etat-civil'
  | 'scolarite'
  | 'action-sociale'
  | 'services-techniques'
  | 'developpement-economique'
  | 'vie-culturelle'
  | 'vie-sportive';

export interface DemoCitizen {
  /** Stable key used by DemoConversation.citizen. */
  key: string;
  name: string;
  email?: string;
  /** French number as a citizen would type it, e.g. '06 12 34 56 78'. */
  phone?: string;
  whatsapp?: string;
  messenger?: string;
  instagram?: string;
}

export interface DemoMessage {
  direction: 'inbound' | 'outbound';
  /** 'note' is an internal note (outbound, never sent); 'call' a phone call log. */
  kind?: 'message' | 'note' | 'call';
  /** Channel this message travelled on; defaults to the conversation's channel. */
  channel?: ChannelKind;
  body: string;
  /** Minutes before "now" at seed time. */
  minutesAgo: number;
  /** For outbound: index (0 or 1) of the team's agent who wrote it. */
  agent?: 0 | 1;
  /** For calls: duration in seconds, 0 = missed. */
  callSeconds?: number;
  /** For an inbound letter (channel `letter`): the sender's postal address, as on the envelope. */
  postalAddress?: string;
}

export interface DemoConversation {
  citizen: string;
  team: TeamSlug;
  /** Channel of the first message. */
  channel: ChannelKind;
  subject: string;
  status: ConversationStatus;
  priority?: Priority;
  /** Index (0 or 1) of the team's agent assigned; undefined = unassigned. */
  assignee?: 0 | 1;
  messages: DemoMessage[];
}
