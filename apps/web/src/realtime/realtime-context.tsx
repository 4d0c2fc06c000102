import { createContext, useContext, useEffect } from 'react';
import type { GuichetSocket } from './socket';

export type RealtimeStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface RealtimeState {
  status: RealtimeStatus;
  socket: GuichetSocket | null;
}

export const RealtimeContext = createContext<RealtimeState>({ status: 'offline', socket: null });

export function useRealtimeState(): RealtimeState {
  return useContext(RealtimeContext);
}

/** Joins the conversation's room while it is on screen (again after each reconnect). */
export function useConversationRoom(conversationId: string | null): void {
  const { socket } = useRealtimeState();
  useEffect(() => {
    if (!socket || !conversationId) return;
    const join = () => socket.emit('conversation.join', conversationId);
    if (socket.connected) join();
    socket.on('connect', join);
    return () => {
      socket.off('connect', join);
      if (socket.connected) socket.emit('conversation.leave', conversationId);
    };
  }, [socket, conversationId]);
}
