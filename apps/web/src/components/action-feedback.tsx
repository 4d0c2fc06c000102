import { useTranslation } from 'react-i18next';
import { apiErrorText } from '../lib/api-error-text';

/** What an action just did (announced politely) and why it failed (an alert), under its buttons. */
export function ActionFeedback({ said, error }: { said: string | null; error: unknown }) {
  const { t } = useTranslation();
  return (
    <>
      <div role="status" aria-live="polite">
        {said ? <p className="citizen-panel__muted">{said}</p> : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {apiErrorText(t, error)}
        </p>
      ) : null}
    </>
  );
}
