/** @jest-environment ./test/jsdom-environment.cjs */
import { CHANNEL_CONFIG_SCHEMAS, CHANNEL_KINDS, SECRET_FIELDS, channelConfigForm, type ChannelKind } from '@guichet/contracts';
import { render } from '@testing-library/react';
import '../src/i18n';
import {
  ConfigFields,
  configFromValues,
  initialValues,
  type ConfigValues,
  type SchemaNode,
} from '../src/features/admin/config-fields';

/**
 * Issue 12: every kind of channel is created and edited from a form generated from its zod schema
 * (French labels and help), secrets write-only. The browser test connects an e-mail box; this one
 * goes through every kind's form: each field labelled in French, each secret a password field
 * that starts empty and says it is saved, and what the form sends back is the configuration.
 */
const twilio = { accountSid: `AC${'a1'.repeat(16)}`, authToken: 'jeton-twilio-1' };
const meta = { pageAccessToken: 'jeton-page', appSecret: 'secret-appli', verifyToken: 'jeton-verif', graphApiVersion: 'v21.0' };
const SAMPLES: Record<ChannelKind, Record<string, unknown>> = {
  email: {
    address: 'etat-civil@ville.fr',
    displayName: 'Mairie — État civil',
    imap: {
      host: 'imap.ville.fr',
      port: 993,
      secure: true,
      user: 'etat-civil',
      password: 'imap-1',
      folders: ['INBOX', 'Urgent'],
    },
    smtp: { host: 'smtp.ville.fr', port: 587, secure: false, user: 'etat-civil', password: 'smtp-1' },
    processed: 'move',
    moveTo: 'Traités',
    importSinceDays: 30,
    sentFolder: 'Sent',
  },
  sms: { ...twilio, phoneNumber: '+33612345678' },
  whatsapp: { ...twilio, whatsappNumber: '+33612345679' },
  voice: { ...twilio, phoneNumber: '+33512345678', forwardTo: '+33512345600', voicemailGreeting: 'Laissez un message.' },
  messenger: { ...meta, pageId: '1234567890' },
  instagram: { ...meta, instagramAccountId: '1784000000' },
  webform: { intro: 'Écrivez à la mairie.', acknowledgement: 'Merci, votre demande est enregistrée.' },
  pbx: {
    vendor: '3CX',
    sharedSecret: 'un-secret-de-16-caracteres',
    extensions: { '201': 'agent@ville.fr', '202': 'accueil@ville.fr' },
  },
  letter: { address: '1 place de la Mairie, 67000 Bourg-Essai' },
};

function leaves(node: SchemaNode, prefix = ''): { path: string; node: SchemaNode }[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return child.type === 'object' && child.properties ? leaves(child, path) : [{ path, node: child }];
  });
}

function at(o: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

describe.each(CHANNEL_KINDS.map((kind) => [kind]))('the %s channel form', (kind) => {
  const schema = channelConfigForm(kind) as SchemaNode;
  const secrets = SECRET_FIELDS[kind];
  const sample = CHANNEL_CONFIG_SCHEMAS[kind].parse(SAMPLES[kind]) as Record<string, unknown>;
  const saved = secrets.filter((p) => at(sample, p) !== undefined);

  it('has a French label for every field of the schema, and each secret is a password field said saved, never shown', () => {
    const values = initialValues(schema, sample, secrets);
    const { container } = render(
      <ConfigFields
        schema={schema}
        values={values}
        onChange={() => undefined}
        secrets={secrets}
        secretsSet={saved}
        errors={{}}
        prefix={`test-${kind}`}
      />,
    );
    const fields = leaves(schema);
    expect(fields.length).toBeGreaterThan(0);
    for (const { path, node } of fields) {
      expect({ path, title: node.title }).toEqual({ path, title: expect.any(String) });
      const control = container.querySelector<HTMLInputElement>(`[name="${path}"]`);
      expect({ path, found: !!control }).toEqual({ path, found: true });
      const label = container.querySelector(`label[for="${control!.id}"]`);
      expect({ path, label: label?.textContent?.replace(/ \*$/, '') }).toEqual({ path, label: node.title });
    }
    for (const path of secrets) {
      const control = container.querySelector<HTMLInputElement>(`[name="${path}"]`)!;
      expect({ path, type: control.type, value: control.value }).toEqual({ path, type: 'password', value: '' });
      if (saved.includes(path)) expect(control.getAttribute('aria-describedby')).toBeTruthy();
    }
    expect(container.textContent).not.toMatch(/jeton-twilio|imap-1|smtp-1|jeton-page|secret-appli|jeton-verif|un-secret-de-16/);
    for (const path of saved)
      expect(document.getElementById(`test-${kind}-${path.replace(/\W/g, '-')}-hint`)?.textContent).toContain(
        'Enregistré. Laissez vide pour le garder.',
      );
  });

  it('sends back the configuration it was given (the secrets typed again), valid for the API', () => {
    const values: ConfigValues = initialValues(schema, sample, secrets);
    for (const path of saved) values[path] = String(at(sample, path));
    const sent = configFromValues(schema, values);
    expect(CHANNEL_CONFIG_SCHEMAS[kind].parse(sent)).toEqual(sample);
  });

  it('left untouched on edit, sends no secret: the API keeps the saved ones', () => {
    const sent = configFromValues(schema, initialValues(schema, sample, secrets));
    for (const path of secrets) expect({ path, value: at(sent, path) }).toEqual({ path, value: undefined });
  });
});
