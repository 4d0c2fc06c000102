import {
  DEFAULT_RESPONSE_TARGETS,
  decisionDue,
  responseDue,
  effectiveOpeningHours,
  type DecisionRegime,
  type NonWorkingDay,
  type RequestTypeDto,
} from '@guichet/contracts';
import type { DueInputsRow } from './request-type.repository';

export interface DueDates {
  decisionRegime: DecisionRegime | null;
  decisionDueAt: Date | null;
  /** Why the town is closed on the decision date (the date is kept: it is the legal one), or null. */
  decisionDueNonWorkingDay: NonWorkingDay | null;
  responseDueAt: Date | null;
}

/**
 * A conversation's due dates from its request type and its service's settings (pure): the legal
 * decision date from the type (L231-1, L114-5: stopped while documents are awaited, then the
 * whole deadline again), and the response target of the channel it came by, in opening hours
 * (time waiting for documents not counted). A conversation an agent started has no response target.
 * Working days, opening days and the "falls on a holiday" flag skip the organization's public
 * holidays: in Alsace-Moselle, Good Friday and 26 December too (the reports' opening-hours times
 * read the same setting). Its exceptional closing days stop the response target's clock and flag a
 * decision date that falls on one, but do not move the legal date (french-holidays.ts, closures).
 * The service's opening hours are its own, else the organization's, else the usual town-hall ones.
 */
export function computeDueDates(
  inputs: DueInputsRow,
  type: Pick<RequestTypeDto, 'decisionRegime' | 'deadline'> | null,
): DueDates {
  const holidays = { alsaceMoselle: inputs.alsace_moselle, closures: inputs.closures };
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
    decisionDueNonWorkingDay: decision?.nonWorkingDay ?? null,
    responseDueAt: target
      ? responseDueOrNone(
          {
            receivedAt: inputs.created_at,
            target,
            hours: effectiveOpeningHours(inputs.opening_hours, inputs.organization_hours),
            pauses: pause,
          },
          { holidays },
        )
      : null,
  };
}

/**
 * The response target, or none when the service does not open within the next three years (its
 * closing days cover them all): a file must still get its other dates, and its listener must not
 * fail for ever.
 */
function responseDueOrNone(...args: Parameters<typeof responseDue>): Date | null {
  try {
    return responseDue(...args);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}
