import type { AgentDto, AgentNotificationDto, CallRingingDto, ConversationDto, MessageDto } from '@guichet/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { queryKeys } from '../api/query-keys';
import { createCachePatcher, findConversationInLists } from './cache-patch';
import { patchMunicipalEvent, patchRegistration } from './registrations-patch';
import type { RealtimeState, RealtimeStatus } from './realtime-context';
import { createSocket, type GuichetSocket } from './socket';

export interface RealtimeOptions {
  /** The session's CSRF token (see session-store.ts): the socket's proof at the handshake; a new one, a new socket. */
  token: string;
  me: AgentDto;
  /** Conversation on screen: its new messages are always announced. */
  activeConversationId: string | null;
  /** Called for events worth telling a screen reader user about. */
  onNewMessage?(message: MessageDto, conversation: ConversationDto | undefined): void;
  onNewConversation?(conversation: ConversationDto): void;
  /** A file handed to this agent (assigned, taken from them, transferred to their service). */
  onAgentNotified?(notification: AgentNotificationDto): void;
  /** An incoming call for this agent's services (the pop-up). */
  onCallRinging?(call: CallRingingDto): void;
  /** Opens the socket; tests hand in their own. */
  socketFactory?: (token: string) => GuichetSocket;
}

/**
 * The app's socket: mounted once in the inbox shell. Every server event patches the react-query
 * cache (see cache-patch.ts); after a reconnect everything is refetched, since events may have
 * been missed meanwhile.
 */
export function useRealtime(options: RealtimeOptions): RealtimeState {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>('connecting');
  const [socket, setSocket] = useState<GuichetSocket | null>(null);
  const latest = useRef(options);
  useLayoutEffect(() => {
    latest.current = options;
  });
  const { token } = options;

  useEffect(() => {
    const s = (latest.current.socketFactory ?? createSocket)(token);
    const patcher = createCachePatcher(queryClient, () => latest.current.me);
    let everConnected = false;
    let connectedAt = 0;
    let kicks = 0;
    let kickTimer: ReturnType<typeof setTimeout> | null = null;

    s.on('connect', () => {
      setStatus('connected');
      if (everConnected) patcher.invalidateAll();
      everConnected = true;
      connectedAt = Date.now();
    });
    s.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') {
        // The server closed this socket on purpose (session revoked, agent changed…). socket.io does
        // not retry then: check the session (a 401 signs out), and retry ourselves with a backoff.
        void queryClient.invalidateQueries({ queryKey: queryKeys.me() });
        if (Date.now() - connectedAt > 30_000) kicks = 0;
        setStatus('reconnecting');
        kickTimer = setTimeout(() => s.connect(), Math.min(30_000, 1000 * 2 ** kicks++));
        return;
      }
      setStatus(s.active ? 'reconnecting' : 'offline');
    });
    s.on('connect_error', () => {
      if (s.active) {
        setStatus(everConnected ? 'reconnecting' : 'connecting');
        return;
      }
      // Refused by the server (bad or expired token): asking who we are ends the session on a 401.
      setStatus('offline');
      void queryClient.invalidateQueries({ queryKey: queryKeys.me() });
    });

    s.on('conversation.created', (conversation) => {
      patcher.conversationChanged(conversation, true);
      latest.current.onNewConversation?.(conversation);
    });
    s.on('conversation.updated', (conversation, before) => patcher.conversationChanged(conversation, false, before));
    s.on('conversation.deleted', (conversation) => patcher.conversationDeleted(conversation));
    s.on('message.created', (message) => {
      patcher.messageChanged(message, true);
      const conversation = findConversationInLists(queryClient, message.conversationId);
      // A timeline event may be an event registration's change (issue 17): the citizen file's
      // registrations, when shown, read theirs again (the events screens hear `registration.*`).
      if (message.kind === 'event' && conversation)
        void queryClient.invalidateQueries({ queryKey: queryKeys.contactRegistrations(conversation.contact.id) });
      latest.current.onNewMessage?.(message, conversation);
    });
    s.on('message.updated', (message) => patcher.messageChanged(message, false));
    s.on('presence.updated', (presence) => patcher.presenceChanged(presence));
    s.on('call.ringing', (call) => latest.current.onCallRinging?.(call));
    s.on('agent.notified', (n) => latest.current.onAgentNotified?.(n));
    s.on('agent.access_changed', () => {
      // A new role or new services: who I am (menus, admin screens) and every list, read again.
      void queryClient.invalidateQueries({ queryKey: queryKeys.me() });
      patcher.invalidateAll();
    });
    s.on('agents.online', (online) => queryClient.setQueryData(queryKeys.agentsOnline(), online));
    for (const event of [
      'registration.created',
      'registration.cancelled',
      'registration.promoted',
      'registration.updated',
      'registration.checked_in',
    ] as const)
      s.on(event, (registration, places) => patchRegistration(queryClient, registration, places));
    s.on('municipal_event.created', (e) => patchMunicipalEvent(queryClient, e, true));
    for (const event of ['municipal_event.updated', 'municipal_event.cancelled'] as const)
      s.on(event, (e) => patchMunicipalEvent(queryClient, e, false));

    setSocket(s);
    s.connect();
    return () => {
      if (kickTimer) clearTimeout(kickTimer);
      s.removeAllListeners();
      s.disconnect();
      patcher.dispose();
      setSocket(null);
      setStatus('connecting');
    };
  }, [token, queryClient]);

  return { status, socket };
}
