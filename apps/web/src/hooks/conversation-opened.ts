import type { ConversationOpenedDto } from '@guichet/contracts';
import { conversationsApi } from '../api/conversations';

const inFlight = new Map<string, Promise<ConversationOpenedDto>>();

/**
 * A file as it opens: the conversation (useConversation) and its latest messages (useMessages'
 * first page) come from one request, GET /conversations/:id/opened, recorded once in the access
 * audit (two requests recorded two accesses for one look). Both queries ask at the same moment:
 * the first starts the request, the other shares it while it runs. No abort signal: the query that
 * did not start it may still be waiting for it.
 */
export function openConversation(id: string): Promise<ConversationOpenedDto> {
  let opened = inFlight.get(id);
  if (!opened) {
    opened = conversationsApi.opened(id).finally(() => inFlight.delete(id));
    inFlight.set(id, opened);
  }
  return opened;
}
