import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REFERENCE_ALPHABET } from '@guichet/contracts';
import type { Page } from 'playwright-core';
import { createApp, type RunningApp } from '../../api/src/app.factory';
import { Database } from '../../api/src/common/database';
import { hashPassword } from '../../api/src/common/password';
import { benchConfig } from '../../api/bench/lib/env';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../api/src/database/embedded-postgres';
import { IngestService } from '../../api/src/modules/ingest/ingest.service';
import { launchBrowser, type LaunchedBrowser } from '../../../libs/testing/src/browser';
import { installProbe, startBaselinePage, type BaselineRow, type ProbeSample } from './page-probe';

export type Log = (message: string) => void;

export interface DomLatencyOptions {
  conversations: number;
  samples: number;
  warmup: number;
  /** Pause between two ingested messages (the app's count refetch is throttled to 1 s). */
  spacingMs: number;
  /** Where the screenshot of the loaded list goes. */
  screenshotDir: string;
}

export const DOM_DEFAULTS: Omit<DomLatencyOptions, 'screenshotDir'> = {
  conversations: 5_000,
  samples: 100,
  warmup: 5,
  spacingMs: 300,
};

/** One side's samples, in ms on the page's clock. */
export interface SideSamples {
  /** First frame of the message (message.created) → the row at the top of the list in the DOM. */
  fromFirstFrame: number[];
  /** The conversation.updated frame (the one that moves the row) → the row at the top. */
  fromRowEvent: number[];
}

export interface DomLatencyResult {
  app: SideSamples;
  baseline: SideSamples;
  /** Rows in the react-query cache when measuring (the list's aria-setsize). */
  loadedRows: number;
  /** Rows rendered in the DOM by the windowed list. */
  renderedRows: number;
  loadMs: number;
  seedMs: number;
  server: string;
  browser: string;
  screenshot: string;
}

const PASSWORD = 'banc-d-essai-web';
const APP_ROW = '.conversation-list [data-testid="conversation-row"][data-index="0"]';
const BASELINE_ROW = '#rows > li:first-child';
const FIRST_NAMES = ['Marie', 'Jean', 'Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Lucas', 'Manon', 'Nathan', 'Inès', 'Paul'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon'];
const SUBJECTS = [
  "Demande d'acte de naissance",
  'Rendez-vous carte nationale d’identité',
  'Livret de famille : duplicata',
  'Mariage : pièces à fournir',
  'Reconnaissance anticipée',
];
const BODIES = [
  "Bonjour, je souhaiterais obtenir une copie intégrale de mon acte de naissance. Merci d'avance.",
  'Bonjour, pouvez-vous me confirmer que le dossier est complet ? Je peux passer en mairie jeudi.',
  'Merci pour votre réponse rapide, je vous envoie les justificatifs demandés dès ce soir.',
];

/** A unique `GU-XXXXXX` reference for conversation n (n + 100,000 written in base 30). */
const REFERENCE = [
  "'GU-'",
  ...[30 ** 5, 30 ** 4, 30 ** 3, 30 ** 2, 30, 1].map(
    (w) => `substr('${REFERENCE_ALPHABET}', ((n + 100000) / ${w} % 30)::int + 1, 1)`,
  ),
].join(' || ');

interface Seeded {
  organizationId: string;
  teamId: string;
  channelId: string;
  email: string;
}

/** Organization, two services, one agent of the first, and `n` open conversations of it (one message each). */
async function seed(db: Database, n: number): Promise<Seeded> {
  const [org] = await db.query<{ id: string }>(
    `INSERT INTO organization (slug, name) VALUES ($1, 'Ville de Banc-sur-Essai') RETURNING id`,
    [`bench-web-${randomBytes(3).toString('hex')}`],
  );
  const organizationId = org!.id;
  const teams = await db.query<{ id: string }>(
    `INSERT INTO team (organization_id, slug, name) VALUES ($1, 'etat-civil', 'État civil'), ($1, 'urbanisme', 'Urbanisme') RETURNING id`,
    [organizationId],
  );
  const teamId = teams[0]!.id;
  const email = `agent.bench.${randomBytes(3).toString('hex')}@banc.guichet.test`;
  const [agent] = await db.query<{ id: string }>(
    `INSERT INTO agent (organization_id, email, name, role, password_hash) VALUES ($1, $2, 'Sophie Banc', 'agent', $3) RETURNING id`,
    [organizationId, email, await hashPassword(PASSWORD)],
  );
  await db.query(`INSERT INTO agent_team (agent_id, team_id) VALUES ($1, $2)`, [agent!.id, teamId]);
  const [channel] = await db.query<{ id: string }>(
    `INSERT INTO channel (organization_id, team_id, kind, name) VALUES ($1, $2, 'email', 'Courriel État civil') RETURNING id`,
    [organizationId, teamId],
  );
  // Set-based: contact n, its e-mail identity, conversation n (n = 1 is the most recent) and its message.
  await db.query(
    `INSERT INTO contact (id, organization_id, name, created_at, updated_at)
     SELECT md5('contact-' || n)::uuid, $1, ($3::text[])[1 + n % cardinality($3::text[])] || ' ' || ($4::text[])[1 + n / cardinality($3::text[]) % cardinality($4::text[])],
            now() - n * interval '7 minutes' - interval '2 days', now() - n * interval '7 minutes' - interval '2 days'
       FROM generate_series(1, $2::int) AS n`,
    [organizationId, n, FIRST_NAMES, LAST_NAMES],
  );
  await db.query(
    `INSERT INTO contact_identity (organization_id, contact_id, kind, value)
     SELECT $1, md5('contact-' || n)::uuid, 'email', 'citoyen.' || n || '@exemple.fr' FROM generate_series(1, $2::int) AS n`,
    [organizationId, n],
  );
  await db.query(
    `INSERT INTO conversation (id, organization_id, reference, contact_id, team_id, status, priority, subject, snippet, last_channel_kind,
                               unread, callback_needed, created_at, last_message_at, last_inbound_at, version)
     SELECT md5('conversation-' || n)::uuid, $1, ${REFERENCE}, md5('contact-' || n)::uuid, $3, 'open',
            CASE WHEN n % 17 = 0 THEN 'urgent' WHEN n % 11 = 0 THEN 'high' ELSE 'normal' END,
            ($4::text[])[1 + n % cardinality($4::text[])], ($5::text[])[1 + n % cardinality($5::text[])], 'email',
            n % 3 = 0, n % 23 = 0, now() - n * interval '5 minutes' - interval '1 day', now() - n * interval '5 minutes',
            now() - n * interval '5 minutes', 2
       FROM generate_series(1, $2::int) AS n`,
    [organizationId, n, teamId, SUBJECTS, BODIES],
  );
  await db.query(
    `INSERT INTO message (organization_id, conversation_id, direction, kind, channel_id, body, status, external_id, created_at)
     SELECT $1, md5('conversation-' || n)::uuid, 'inbound', 'message', $3, ($4::text[])[1 + n % cardinality($4::text[])], 'received',
            'seed-' || n || '@exemple.fr', now() - n * interval '5 minutes'
       FROM generate_series(1, $2::int) AS n`,
    [organizationId, n, channel!.id, BODIES],
  );
  await db.query(`ANALYZE contact, contact_identity, conversation, message`);
  return { organizationId, teamId, channelId: channel!.id, email };
}

/** md5('conversation-' || n)::uuid, as the seeding computes it. */
const conversationId = (n: number): string =>
  createHash('md5')
    .update(`conversation-${n}`)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

async function loadWholeList(page: Page, expected: number, timeoutMs: number): Promise<{ loaded: number; rendered: number }> {
  await page.waitForSelector(APP_ROW, { timeout: 20_000 });
  await page.evaluate(async (deadlineMs) => {
    const deadline = performance.now() + deadlineMs;
    // The list's own "load more" button (the sentinel under it does the same when scrolled to).
    while (!document.querySelector('.list-footer__end')) {
      if (performance.now() > deadline) throw new Error('the list did not finish loading');
      const more = document.querySelector<HTMLButtonElement>('.list-footer button');
      if (more && !more.getAttribute('aria-disabled')) more.click();
      await new Promise((r) => setTimeout(r, 10));
    }
    const pane = document.querySelector<HTMLElement>('.conversation-pane');
    if (pane) pane.scrollTop = 0;
  }, timeoutMs);
  await page.waitForFunction(() => document.querySelector('.conversation-list li')?.getAttribute('aria-posinset') === '1');
  const counts = await page.evaluate(() => ({
    loaded: Number(document.querySelector('.conversation-list li')?.getAttribute('aria-setsize') ?? 0),
    rendered: document.querySelectorAll('.conversation-list [data-testid="conversation-row"]').length,
  }));
  if (counts.loaded !== expected) throw new Error(`${counts.loaded} rows loaded, expected ${expected}`);
  return counts;
}

/** Ingests message `i` into conversation `n` while `page`'s probe waits for the row at the top. */
async function measureOne(
  page: Page,
  ingest: IngestService,
  s: Seeded,
  selector: string,
  i: number,
  n: number,
): Promise<ProbeSample> {
  const marker = `BANC${String(i).padStart(5, '0')}${randomBytes(3).toString('hex')}`;
  await page.evaluate(([m, sel]) => window.__guichetBenchProbe!.arm(m!, sel!), [marker, selector]);
  const result = page.evaluate(() => window.__guichetBenchProbe!.result(10_000));
  await ingest.ingest({
    channelId: s.channelId,
    externalId: `<${marker}@exemple.fr>`,
    from: { kind: 'email', value: `citoyen.${n}@exemple.fr` },
    subject: 'Re: ma demande',
    text: `${marker} Bonjour, je me permets de vous relancer au sujet de ma demande. Bien cordialement.`,
    thread: { conversationId: conversationId(n) },
  });
  return result;
}

async function measureSide(
  page: Page,
  ingest: IngestService,
  s: Seeded,
  selector: string,
  o: { samples: number; warmup: number; spacingMs: number },
  nextOldest: () => number,
): Promise<SideSamples> {
  const out: SideSamples = { fromFirstFrame: [], fromRowEvent: [] };
  for (let i = 0; i < o.warmup + o.samples; i++) {
    const sample = await measureOne(page, ingest, s, selector, i, nextOldest());
    const first = sample.frames[0];
    const row = sample.frames.find((f) => f.event === 'conversation.updated');
    if (!first || !row) throw new Error(`sample ${i}: frames ${JSON.stringify(sample.frames)}`);
    if (i >= o.warmup) {
      out.fromFirstFrame.push(sample.visibleAt - first.at);
      out.fromRowEvent.push(sample.visibleAt - row.at);
    }
    await sleep(o.spacingMs);
  }
  return out;
}

/**
 * The built app served by the real API on a fresh embedded PostgreSQL, `conversations` open
 * conversations in the agent's service, all loaded into the list in headless Chromium; then
 * citizen messages to the oldest loaded conversation, timed in the page from the socket frame to
 * the row at the top of the DOM, and the same messages to the bare baseline page.
 */
export async function benchDomLatency(webDistDir: string, o: DomLatencyOptions, log: Log): Promise<DomLatencyResult> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  try {
    const pgDir = mkdtempSync(join(tmpdir(), 'guichet-bench-web-pg-'));
    cleanups.push(() => rmSync(pgDir, { recursive: true, force: true }));
    const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false, log });
    cleanups.push(() => pg.stop());
    await ensureDatabase(pg.url('postgres'), 'guichet_bench_web');
    const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-web-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const app: RunningApp = await createApp({ ...benchConfig(pg.url('guichet_bench_web'), dataDir), webDistDir });
    cleanups.push(() => app.close());
    const db = app.app.get(Database);
    const ingest = app.app.get(IngestService);
    const [v] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const server = v!.v;

    let started = performance.now();
    const seeded = await seed(db, o.conversations);
    const seedMs = performance.now() - started;
    log(
      `web: seeded ${o.conversations.toLocaleString('en-US')} conversations in one service (${(seedMs / 1000).toFixed(1)} s); app on ${app.url}`,
    );

    const browser: LaunchedBrowser = await launchBrowser();
    cleanups.push(() => browser.close());
    const { page, context } = browser;
    await context.addInitScript(installProbe);
    const userAgent = await page.evaluate(() => navigator.userAgent).catch(() => '');
    const chromium = /Chrome\/([\d.]+)/.exec(userAgent)?.[1] ?? 'unknown';
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.goto(app.url);
    await page.getByLabel('Adresse e-mail').fill(seeded.email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForFunction(() => !document.querySelector('input[type="password"]'), undefined, { timeout: 20_000 });
    await page.evaluate((teamId) => {
      window.location.hash = `#/conversations?view=team-${teamId}&status=open`;
    }, seeded.teamId);

    started = performance.now();
    const { loaded, rendered } = await loadWholeList(page, o.conversations, 180_000);
    const loadMs = performance.now() - started;
    log(
      `web: ${loaded.toLocaleString('en-US')} rows in the list's cache, ${rendered} in the DOM (${(loadMs / 1000).toFixed(1)} s to load)`,
    );

    // The oldest conversations first: each message moves a row from the bottom of the list to the top.
    let oldest = o.conversations + 1;
    const nextOldest = () => --oldest;

    const appSamples = await measureSide(page, ingest, seeded, APP_ROW, o, nextOldest);
    mkdirSync(o.screenshotDir, { recursive: true });
    const screenshot = join(o.screenshotDir, `web-bench-${loaded}-rows.png`);
    await page.screenshot({ path: screenshot });
    log(`web: app measured (${appSamples.fromFirstFrame.length} samples), screenshot ${screenshot}`);

    // The baseline: same origin, same agent session, same messages.
    // The session token is in the HttpOnly cookie: no page script reads it, the browser context does.
    const token = (await context.cookies(app.url)).find((c) => c.name === 'guichet_session')?.value ?? '';
    if (!token) throw new Error('no session token in the app page');
    const rows = await db.query<{ id: string; text: string }>(
      `SELECT c.id, coalesce(k.name, '') || ' — ' || coalesce(c.subject, '') || ' — ' || coalesce(c.snippet, '') AS text
         FROM conversation c JOIN contact k ON k.id = c.contact_id
        WHERE c.team_id = $1 AND c.status = 'open' ORDER BY c.last_message_at DESC, c.id DESC`,
      [seeded.teamId],
    );
    // A document of the same origin that runs no script of its own: the health endpoint's JSON.
    await page.goto(`${app.url}/api/v1/health`);
    await page.evaluate(() => document.body.replaceChildren());
    await page.evaluate(startBaselinePage, { token, rows: rows satisfies BaselineRow[] });
    const baselineSamples = await measureSide(page, ingest, seeded, BASELINE_ROW, o, nextOldest);
    log(`web: baseline measured (${baselineSamples.fromFirstFrame.length} samples)`);

    return {
      app: appSamples,
      baseline: baselineSamples,
      loadedRows: loaded,
      renderedRows: rendered,
      loadMs,
      seedMs,
      server,
      browser: `Chromium ${chromium} (headless)`,
      screenshot,
    };
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* best effort */
      }
    }
  }
}
