import { isManager, type AuthAgent } from '../../common/auth-agent';
import type { ConversationRow } from './conversation.mapper';

/** Agents see their services' conversations and those assigned to them; managers the whole organization. */
export function canRead(agent: AuthAgent, c: Pick<ConversationRow, 'organization_id' | 'team_id' | 'assignee_id'>): boolean {
  return (
    c.organization_id === agent.organizationId &&
    (isManager(agent) || agent.teamIds.includes(c.team_id) || c.assignee_id === agent.id)
  );
}
