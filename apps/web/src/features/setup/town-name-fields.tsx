import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { slugOf } from '../../lib/slug';
import { Field } from './public-card';

/**
 * A town's name and identifier (slug): the identifier follows the name as it is typed until the
 * person edits it. For the first-run page and the platform's « Ajouter une commune ».
 * `resetKey`: a new value empties the "edited" memory (after the form was reset).
 */
export function TownNameFields({ prefix = 'f', resetKey }: { prefix?: string; resetKey?: unknown }) {
  const { t } = useTranslation();
  const slugRef = useRef<HTMLInputElement | null>(null);
  const [touched, setTouched] = useState<{ key: unknown } | null>(null);
  const slugTouched = touched !== null && touched.key === resetKey;
  const slugId = `${prefix}-slug`;
  return (
    <>
      <Field
        prefix={prefix}
        name="name"
        label={t('setup.name')}
        required
        autoComplete={prefix === 'f' ? 'organization' : 'off'}
        onInput={(value) => {
          if (!slugTouched && slugRef.current) slugRef.current.value = slugOf(value);
        }}
      />
      <div className="field">
        <label className="field__label" htmlFor={slugId}>
          {t('setup.slug')}
          <span aria-hidden="true"> *</span>
        </label>
        <p className="field__hint" id={`${slugId}-hint`}>
          {t('setup.slugHint')}
        </p>
        <input
          ref={slugRef}
          id={slugId}
          className="field__input"
          name="slug"
          required
          autoComplete="off"
          aria-describedby={`${slugId}-hint`}
          onInput={() => setTouched({ key: resetKey })}
        />
      </div>
    </>
  );
}
