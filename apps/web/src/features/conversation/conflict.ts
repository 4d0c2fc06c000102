import type { AgentDto, ConversationDto, MessageDto, TeamDto } from '@guichet/contracts';
import type { TFunction } from 'i18next';
import type { DraftBase } from '../../lib/drafts';

export function draftBaseOf(c: ConversationDto): DraftBase {
  return {
    version: c.version,
    status: c.status,
    assigneeId: c.assigneeId,
    teamId: c.teamId,
    priority: c.priority,
    lastMessageAt: c.lastMessageAt,
  };
}

/** What changed in a conversation since the agent started writing, in plain sentences. */
export function describeChanges(
  t: TFunction,
  base: DraftBase,
  current: ConversationDto,
  messages: MessageDto[],
  agents: AgentDto[] | undefined,
  teams: TeamDto[] | undefined,
  meId: string,
): string[] {
  const changes: string[] = [];
  const since = Date.parse(base.lastMessageAt);
  const newer = messages.filter((m) => Date.parse(m.createdAt) > since && m.authorAgentId !== meId);
  const inbound = newer.filter((m) => m.direction === 'inbound').length;
  const byAgents = newer.filter((m) => m.direction === 'outbound' && m.kind === 'message');
  const notes = newer.filter((m) => m.kind === 'note').length;
  if (inbound > 0) changes.push(t('composer.changes.newInbound', { count: inbound }));
  for (const m of byAgents)
    changes.push(
      t('composer.changes.replied', { name: agents?.find((a) => a.id === m.authorAgentId)?.name ?? t('message.agentUnknown') }),
    );
  if (notes > 0) changes.push(t('composer.changes.notes', { count: notes }));
  if (inbound === 0 && byAgents.length === 0 && notes === 0 && current.lastMessageAt !== base.lastMessageAt)
    changes.push(t('composer.changes.newActivity'));
  if (current.assigneeId !== base.assigneeId) {
    changes.push(
      current.assigneeId === null
        ? t('composer.changes.unassigned')
        : current.assigneeId === meId
          ? t('composer.changes.assignedToMe')
          : t('composer.changes.assignedTo', {
              name: agents?.find((a) => a.id === current.assigneeId)?.name ?? t('message.agentUnknown'),
            }),
    );
  }
  if (current.status !== base.status) changes.push(t('composer.changes.status', { status: t(`statusOne.${current.status}`) }));
  if (current.teamId !== base.teamId)
    changes.push(
      t('composer.changes.team', { team: teams?.find((x) => x.id === current.teamId)?.name ?? t('list.unknownTeam') }),
    );
  if (current.priority !== base.priority)
    changes.push(t('composer.changes.priority', { priority: t(`priority.${current.priority}`) }));
  if (changes.length === 0) changes.push(t('composer.changes.other'));
  return changes;
}
