import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialJs } from '../bench/bundle-size';

/**
 * The agent app's first download (index.html's script and its modulepreloads, in the built app):
 * what the `web-bundle` bench measures, kept within its budget here so a regression shows in the
 * tests, not one session later. Twice it grew past it by a module that mixed zod schemas with
 * helpers the composer uses (zod came along whole), and by screens loaded up front.
 */
describe('the agent app’s first download', () => {
  const dist = join(__dirname, '..', 'dist');
  const assets = join(dist, 'assets');
  let first: ReturnType<typeof initialJs>;
  let code: string;

  beforeAll(() => {
    if (!existsSync(join(dist, 'index.html')))
      throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
    first = initialJs(dist);
    code = first.files.map((f) => readFileSync(join(dist, f.path.replace(/^\.?\//, '')), 'utf8')).join('\n');
  });

  it('weighs at most 150 kB gzipped (level 9)', () => {
    expect(first.gzip).toBeLessThanOrEqual(150_000);
  });

  it('holds no zod: the app uses the contracts’ types and plain helpers, the API validates', () => {
    expect(code).not.toContain('_zod');
  });

  it('holds the French words only: another language loads when an agent picks it', () => {
    const en = readdirSync(assets).find((f) => /^en-[\w-]+\.js$/.test(f));
    expect(en).toBeDefined();
    expect(readFileSync(join(assets, en!), 'utf8')).toContain('Sign in to Guichet');
    expect(code).not.toContain('Sign in to Guichet');
    expect(code).toContain('Aller au contenu principal');
  });

  it('loads the open conversation, the sign-in screens and the administration as chunks of their own', () => {
    for (const screen of ['conversation-detail', 'login-page', 'setup-page', 'admin-page']) {
      expect(readdirSync(assets).some((f) => f.startsWith(`${screen}-`) && f.endsWith('.js'))).toBe(true);
      expect(first.files.some((f) => f.path.includes(`/${screen}-`))).toBe(false);
    }
  });
});
