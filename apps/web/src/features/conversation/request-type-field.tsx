import type { ConversationDto, UpdateConversationInput } from '@guichet/contracts';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useRequestTypes } from '../../hooks/use-request-types';
import { currentLanguage } from '../../i18n';
import { formatDue } from '../../lib/format';

interface RequestTypeFieldProps {
  conversation: ConversationDto;
  apply(input: Omit<UpdateConversationInput, 'version'>, done: string): void;
}

/**
 * The démarche of the file (changing it recomputes the due dates), its legal decision date and
 * response target, and L114-5: documents asked of the citizen stop the clocks until they come.
 */
export function RequestTypeField({ conversation: c, apply }: RequestTypeFieldProps) {
  const { t } = useTranslation();
  const ids = useId();
  const types = useRequestTypes(c.teamId).data;
  const language = currentLanguage();
  // A type of another service (the file was transferred) stays listed while it is the file's.
  const options = (types ?? []).map(({ id, name }) => ({ id, name }));
  if (c.requestType && !options.some((x) => x.id === c.requestType!.id)) options.unshift(c.requestType);
  return (
    <div className="actions__row actions__row--due" data-testid="request-type">
      <span className="actions__field">
        <label htmlFor={`${ids}-type`}>{t('due.requestType')}</label>
        <select
          id={`${ids}-type`}
          value={c.requestType?.id ?? ''}
          data-testid="request-type-select"
          onChange={(e) => {
            const id = e.target.value || null;
            const name = options.find((x) => x.id === id)?.name;
            apply({ requestTypeId: id }, name ? t('due.typeSet', { name }) : t('due.typeRemoved'));
          }}
        >
          <option value="">{t('due.noType')}</option>
          {options.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </span>
      <button
        type="button"
        className="button button--secondary button--small"
        aria-pressed={c.awaitingDocuments}
        onClick={() =>
          apply(
            { awaitingDocuments: !c.awaitingDocuments },
            c.awaitingDocuments ? t('due.documentsReceived') : t('due.documentsRequested'),
          )
        }
      >
        {t('due.awaitingDocuments')}
      </button>
      <dl className="due-dates" data-testid="due-dates">
        {c.awaitingDocuments ? (
          <div>
            <dt>{t('due.clock')}</dt>
            <dd>{t('due.stopped')}</dd>
          </div>
        ) : null}
        {c.decisionDueAt ? (
          <div>
            <dt>{t(`due.decision.${c.decisionRegime ?? 'none'}`)}</dt>
            <dd>
              {formatDue(c.decisionDueAt, language)}
              {c.decisionDueNonWorkingDay ? (
                <span className="due-dates__closed" data-testid="decision-non-working-day">
                  {t(`due.nonWorkingDay.${c.decisionDueNonWorkingDay}`)}
                </span>
              ) : null}
            </dd>
          </div>
        ) : null}
        {c.responseDueAt && !c.firstResponseAt ? (
          <div>
            <dt>{t('due.response')}</dt>
            <dd>{formatDue(c.responseDueAt, language)}</dd>
          </div>
        ) : null}
      </dl>
    </div>
  );
}
