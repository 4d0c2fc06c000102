import { useTranslation } from 'react-i18next';

/**
 * A channel configuration form generated from its JSON Schema (channelConfigForm in
 * libs/contracts, itself from the zod schema with French `.meta()` labels): a field added to the
 * schema appears here with no screen to edit. Values are kept flat by dotted path, as strings or
 * booleans, and turned back into the config object on submit.
 */
export interface SchemaNode {
  type?: string;
  title?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  enum?: string[];
  /** French labels of an enum's values (the schema's `.meta({ options })`). */
  options?: Record<string, string>;
  default?: unknown;
  format?: string;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
}

export type ConfigValues = Record<string, string | boolean>;

type Leaf = { path: string; node: SchemaNode; required: boolean };

const isRecord = (n: SchemaNode) => n.type === 'object' && !n.properties && typeof n.additionalProperties === 'object';
const isGroup = (n: SchemaNode) => n.type === 'object' && !!n.properties;

function leaves(node: SchemaNode, prefix = ''): Leaf[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isGroup(child)) return leaves(child, path);
    return [{ path, node: child, required: (node.required ?? []).includes(key) && child.default === undefined }];
  });
}

function at(config: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), config);
}

/** The form's starting values: the saved config, or the schema's defaults. Secrets always start empty. */
export function initialValues(schema: SchemaNode, config: Record<string, unknown>, secrets: readonly string[]): ConfigValues {
  const values: ConfigValues = {};
  for (const { path, node } of leaves(schema)) {
    const v = at(config, path) ?? node.default;
    if (secrets.includes(path)) values[path] = '';
    else if (node.type === 'boolean') values[path] = v === true;
    else if (node.type === 'array') values[path] = Array.isArray(v) ? v.join('\n') : '';
    else if (isRecord(node))
      values[path] =
        v && typeof v === 'object'
          ? Object.entries(v)
              .map(([k, x]) => `${k} = ${String(x)}`)
              .join('\n')
          : '';
    else values[path] = v === undefined || v === null ? '' : String(v);
  }
  return values;
}

/** A line of a key/value field that is not « clé = valeur » (the form says which). */
export class ConfigLineError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
  ) {
    super(`${path}: line ${line}`);
  }
}

/**
 * The config object to send. An empty field is left out (the schema's default applies, a secret
 * keeps its stored value); a group left entirely empty is left out too.
 */
export function configFromValues(schema: SchemaNode, values: ConfigValues): Record<string, unknown> {
  const build = (node: SchemaNode, prefix: string): Record<string, unknown> | undefined => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isGroup(child)) {
        const sub = build(child, path);
        if (sub) out[key] = sub;
        continue;
      }
      const v = values[path];
      if (typeof v === 'boolean') {
        out[key] = v;
        continue;
      }
      const text = (v ?? '').trim();
      if (!text) continue;
      if (child.type === 'integer' || child.type === 'number') out[key] = Number(text);
      else if (child.type === 'array')
        out[key] = text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
      else if (isRecord(child)) {
        const entries = text.split('\n').flatMap((raw, i) => {
          const l = raw.trim();
          if (!l) return [];
          const m = /^([^=:]+?)\s*[=:]\s*(.+)$/.exec(l);
          if (!m) throw new ConfigLineError(path, i + 1);
          return [[m[1]!, m[2]!.trim()] as const];
        });
        out[key] = Object.fromEntries(entries);
      } else out[key] = text;
    }
    return Object.keys(out).length ? out : undefined;
  };
  return build(schema, '') ?? {};
}

/** The server's `details` (« imap.host: … ») by field path. */
export function errorsByPath(details: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details ?? []) {
    const m = /^([\w.]+): (.*)$/.exec(d);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!;
  }
  return out;
}

export function ConfigFields({
  schema,
  values,
  onChange,
  secrets,
  secretsSet,
  errors,
  prefix,
  disabled,
}: {
  schema: SchemaNode;
  values: ConfigValues;
  onChange: (path: string, value: string | boolean) => void;
  secrets: readonly string[];
  secretsSet: readonly string[];
  errors: Record<string, string>;
  prefix: string;
  disabled?: boolean;
}) {
  const render = (node: SchemaNode, path: string) =>
    Object.entries(node.properties ?? {}).map(([key, child]) => {
      const childPath = path ? `${path}.${key}` : key;
      if (isGroup(child))
        return (
          <fieldset className="form-group" key={childPath}>
            <legend>{child.title ?? key}</legend>
            {render(child, childPath)}
          </fieldset>
        );
      const required = (node.required ?? []).includes(key) && child.default === undefined;
      return (
        <ConfigField
          key={childPath}
          id={`${prefix}-${childPath.replace(/\W/g, '-')}`}
          leaf={{ path: childPath, node: child, required }}
          value={values[childPath]}
          onChange={(v) => onChange(childPath, v)}
          secret={secrets.includes(childPath)}
          saved={secretsSet.includes(childPath)}
          error={errors[childPath]}
          disabled={disabled}
        />
      );
    });
  return <>{render(schema, '')}</>;
}

function ConfigField({
  id,
  leaf: { path, node, required },
  value,
  onChange,
  secret,
  saved,
  error,
  disabled,
}: {
  id: string;
  leaf: Leaf;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
  secret: boolean;
  saved: boolean;
  error?: string;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const label = node.title ?? path;
  const hint = [node.description, secret && saved ? t('admin.channels.secretSaved') : null].filter(Boolean).join(' ');
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: path,
    disabled,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  } as const;
  if (node.type === 'boolean')
    return (
      <div className="field field--checkbox">
        <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        <label htmlFor={id}>{label}</label>
        <Help id={id} hint={hint} error={error} />
      </div>
    );
  const text = typeof value === 'string' ? value : '';
  const multiline = node.type === 'array' || isRecord(node);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {required && !(secret && saved) ? <span aria-hidden="true"> *</span> : null}
      </label>
      <Help id={id} hint={hint} error={error} />
      {node.enum ? (
        <select {...common} className="field__input" value={text} onChange={(e) => onChange(e.target.value)}>
          {required ? null : <option value="">{t('admin.channels.none')}</option>}
          {node.enum.map((option) => (
            <option key={option} value={option}>
              {node.options?.[option] ?? option}
            </option>
          ))}
        </select>
      ) : multiline ? (
        <textarea {...common} className="field__input" rows={3} value={text} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          className="field__input"
          required={required && !(secret && saved)}
          type={
            secret
              ? 'password'
              : node.type === 'integer' || node.type === 'number'
                ? 'number'
                : node.format === 'email'
                  ? 'email'
                  : 'text'
          }
          autoComplete={secret ? 'new-password' : 'off'}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}

function Help({ id, hint, error }: { id: string; hint: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}
