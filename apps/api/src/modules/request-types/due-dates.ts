import {
  DEFAULT_OPENING_HOURS,
  DEFAULT_RESPONSE_TARGETS,
  decisionDue,
  responseDue,
  type DecisionRegime,
  type RequestTypeDto,
} from '@guichet/contracts';
import type { DueInputsRow } from './request-type.repository';

export interface DueDates {
  decisionRegime: DecisionRegime | null;
  decisionDueAt: Date | null;
  responseDueAt: Date | null;
}

/**
 * A conversation's due dates from its request type and its service's settings (pure): the legal
 * decision date from the type (L231-1, L114-5: stopped while documents are awaited, then the
 * whole deadline again), and the response target of the channel it came by, in opening hours
 * (time waiting for documents not counted). A conversation an agent started has no response target.
 * Working days, opening days and the "falls on a holiday" flag skip the organization's public
 * holidays: in Alsace-Moselle, Good Friday and 26 December too (the reports' opening-hours times
 * read the same setting).
 */
export function computeDueDates(
  inputs: DueInputsRow,
  type: Pick<RequestTypeDto, 'decisionRegime' | 'deadline'> | null,
): DueDates {
  const holidays = { alsaceMoselle: inputs.alsace_moselle };
  const documents = { requestedAt: inputs.documents_requested_at, receivedAt: inputs.documents_received_at };
  const decision = type ? decisionDue({ receivedAt: inputs.created_at, deadline: type.deadline, documents }, { holidays }) : null;
  const kind = inputs.first_channel_kind;
  const target = kind ? (inputs.response_targets[kind] ?? DEFAULT_RESPONSE_TARGETS[kind]) : null;
  const pause = documents.requestedAt
    ? [
        {
          from: documents.requestedAt,
          to: documents.receivedAt && documents.receivedAt > documents.requestedAt ? documents.receivedAt : null,
        },
      ]
    : [];
  return {
    decisionRegime: type?.decisionRegime ?? null,
    decisionDueAt: decision?.at ?? null,
    responseDueAt: target
      ? responseDue(
          {
            receivedAt: inputs.created_at,
            target,
            hours: inputs.opening_hours ?? DEFAULT_OPENING_HOURS,
            pauses: pause,
          },
          { holidays },
        )
      : null,
  };
}
