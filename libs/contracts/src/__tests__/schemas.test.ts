import { CHANNEL_CONFIG_SCHEMAS } from '../channel-config';
import { describeIssues, publicRequestSchema, updateConversationSchema } from '../schemas';

const TEAM = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('request schemas', () => {
  it('accepts a request with an email or a phone, and refuses one with neither', () => {
    expect(publicRequestSchema.safeParse({ teamId: TEAM, name: 'A', email: 'a@b.fr', subject: 'S', body: 'B' }).success).toBe(
      true,
    );
    expect(publicRequestSchema.safeParse({ teamId: TEAM, name: 'A', phone: '0612345678', subject: 'S', body: 'B' }).success).toBe(
      true,
    );
    const r = publicRequestSchema.safeParse({ teamId: TEAM, name: 'A', email: '', subject: 'S', body: 'B' });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!)).toEqual(['email: indiquez une adresse e-mail ou un numéro de téléphone']);
  });

  it('refuses a body over the limit', () => {
    const r = publicRequestSchema.safeParse({ teamId: TEAM, name: 'A', email: 'a@b.fr', subject: 'S', body: 'x'.repeat(20_001) });
    expect(r.success).toBe(false);
  });

  it('needs at least one change besides the version in a conversation update', () => {
    expect(updateConversationSchema.safeParse({ version: 3 }).success).toBe(false);
    expect(updateConversationSchema.safeParse({ version: 3, status: 'resolved' }).success).toBe(true);
  });
});

describe('channel configuration', () => {
  it('validates each kind and fills defaults', () => {
    const email = CHANNEL_CONFIG_SCHEMAS.email.parse({
      address: 'etat-civil@ville-demo.fr',
      imap: { host: 'imap.example.fr', port: 993, user: 'u', password: 'p' },
      smtp: { host: 'smtp.example.fr', port: 465, user: 'u', password: 'p' },
    });
    expect(email.imap.folders).toEqual(['INBOX']);
    expect(email.processed).toBe('seen');
    expect(CHANNEL_CONFIG_SCHEMAS.sms.safeParse({ accountSid: 'AC123', phoneNumber: '+33612345678' }).success).toBe(false);
    expect(CHANNEL_CONFIG_SCHEMAS.sms.safeParse({ accountSid: `AC${'a'.repeat(32)}`, phoneNumber: '0612345678' }).success).toBe(
      false,
    );
  });
});
