import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CDPSession, Page } from 'playwright-core';
import { createApp, type RunningApp } from '../../api/src/app.factory';
import { benchConfig } from '../../api/bench/lib/env';
import { Database } from '../../api/src/common/database';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/database/embedded-postgres';
import { launchBrowserPool, type BrowserPool } from '../../../libs/testing/src/browser';
import { buildAsToday, serveAsToday } from './built-as-today';

export type Log = (message: string) => void;

/** The slow phone of issue 19: a weak 4G connection and a CPU four times slower than this one. */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  downloadBitsPerSecond: 1_600_000,
  uploadBitsPerSecond: 750_000,
  latencyMs: 150,
  cpuSlowdown: 4,
};

export const CITIZEN_DEFAULTS = { runs: 5 };

/** One page load's figures. */
interface Load {
  /** Scripts the page loaded: path, gzip -9 size of the body, bytes on the wire. */
  scripts: { path: string; gzip: number; wire: number }[];
  /** Everything the page fetched (HTML, CSS, JS, API calls): bytes on the wire. */
  wireTotal: number;
  lcpMs: number;
  lcpElement: string;
}

export interface PageFigures {
  scripts: Load['scripts'];
  wireTotal: number;
  lcpMs: number[];
  lcpElement: string;
  /** Navigation start → the form's first field on screen (first frame where it has a size). */
  fieldMs: number[];
  /** Navigation start → the first input (a click on the form's first field, as soon as it shows) handled. */
  inputMs: number[];
  /** The same input's delay: from the click to the page starting to handle it. */
  inputDelayMs: number[];
}

export interface CitizenResult {
  rev: string;
  pages: { name: string; path: string; field: string; app: PageFigures; today: PageFigures }[];
  /** The built-as-today dist (its agent page is measured by the bundle table), removed by the caller. */
  todayDist: string;
  removeToday(): void;
  browser: string;
  server: string;
}

declare global {
  interface Window {
    __vitals?: {
      lcp: number;
      lcpElement: string;
      fieldShown: number;
      firstInput: { start: number; processingStart: number; processingEnd: number } | null;
    };
  }
}

/** Installed before any page script: the largest contentful paint so far, the frame where `field` first shows, the first input's timing. */
function installVitalsProbe(field: string): void {
  const vitals: NonNullable<Window['__vitals']> = { lcp: 0, lcpElement: '', fieldShown: 0, firstInput: null };
  window.__vitals = vitals;
  const watch = () => {
    if ((document.querySelector(field)?.getBoundingClientRect().height ?? 0) > 0) vitals.fieldShown = performance.now();
    else requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { element?: Element | null })[]) {
      vitals.lcp = e.startTime;
      vitals.lcpElement = e.element
        ? `${e.element.tagName.toLowerCase()}${e.element.className ? `.${String(e.element.className).split(' ')[0]}` : ''}`
        : '';
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    const e = list.getEntries()[0] as PerformanceEventTiming | undefined;
    if (e && !vitals.firstInput)
      vitals.firstInput = { start: e.startTime, processingStart: e.processingStart, processingEnd: e.processingEnd };
  }).observe({ type: 'first-input', buffered: true });
}

async function throttledPage(pool: BrowserPool, field: string): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await pool.newPage({ viewport: PHONE.viewport });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PHONE.latencyMs,
    downloadThroughput: PHONE.downloadBitsPerSecond / 8,
    uploadThroughput: PHONE.uploadBitsPerSecond / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuSlowdown });
  await page.addInitScript(installVitalsProbe, field);
  return { page, cdp };
}

/** A cold load (fresh context, empty cache) until the form's field shows and the network is quiet. */
async function loadOnce(pool: BrowserPool, url: string, field: string): Promise<Load> {
  const { page } = await throttledPage(pool, field);
  try {
    const pending: Promise<void>[] = [];
    const scripts: Load['scripts'] = [];
    let wireTotal = 0;
    page.on('response', (r) => {
      pending.push(
        (async () => {
          const sizes = await r
            .request()
            .sizes()
            .catch(() => null);
          const wire = sizes?.responseBodySize ?? 0;
          wireTotal += wire;
          if (r.request().resourceType() !== 'script') return;
          const body = await r.body();
          scripts.push({ path: new URL(r.url()).pathname, gzip: gzipSync(body, { level: 9 }).length, wire });
        })(),
      );
    });
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await page.locator(field).waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForLoadState('networkidle', { timeout: 60_000 });
    await Promise.all(pending);
    const vitals = (await page.evaluate(() => window.__vitals))!;
    return { scripts, wireTotal, lcpMs: vitals.lcp, lcpElement: vitals.lcpElement };
  } finally {
    await page.context().close();
  }
}

/**
 * Where `field` can be tapped, once it is on screen (scrolled to the middle when below the fold), or
 * null: asked of the page itself, so the answer waits for the page's main thread like a tap would.
 */
const tapPoint = (field: string) => `(() => {
  // Not before a frame has shown it (a layout before the stylesheet arrives would put it elsewhere).
  if (!window.__vitals?.fieldShown) return null;
  const el = document.querySelector(${JSON.stringify(field)});
  const r = el?.getBoundingClientRect();
  if (!el || !r || !r.height) return null;
  if (r.top < 0 || r.bottom > innerHeight) { el.scrollIntoView({ block: 'center' }); return null; }
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
})()`;

/**
 * A cold load where the citizen taps the form's field the moment it shows, and types: the tap goes
 * straight through CDP (Input.dispatchMouseEvent) so no test-tool check delays it.
 */
async function firstInputOnce(
  pool: BrowserPool,
  url: string,
  field: string,
): Promise<{ fieldMs: number; handledMs: number; delayMs: number }> {
  const { page, cdp } = await throttledPage(pool, field);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    let point: { x: number; y: number } | null = null;
    while (!point) {
      if (Date.now() > deadline) throw new Error(`${url}: ${field} never showed`);
      const answer = await cdp.send('Runtime.evaluate', { expression: tapPoint(field), returnByValue: true }).catch(() => null);
      point = (answer?.result.value as { x: number; y: number } | null | undefined) ?? null;
      if (!point) await sleep(10);
    }
    for (const type of ['mousePressed', 'mouseReleased'] as const)
      await cdp.send('Input.dispatchMouseEvent', { type, ...point, button: 'left', clickCount: 1 });
    await cdp.send('Input.insertText', { text: 'B' });
    await page.waitForFunction(() => window.__vitals?.firstInput, undefined, { timeout: 60_000 });
    const value = await page.locator(field).inputValue();
    if (!value.includes('B')) throw new Error(`${url}: the typed letter did not reach ${field}`);
    const vitals = (await page.evaluate(() => window.__vitals))!;
    const first = vitals.firstInput!;
    return { fieldMs: vitals.fieldShown, handledMs: first.processingEnd, delayMs: first.processingStart - first.start };
  } finally {
    await page.context().close();
  }
}

/**
 * The request form and a tracking page, cold, on the slow phone, in headless Chromium (CDP network
 * and CPU throttling): the app as built now, served by the real API, beside the same pages built as
 * today (the baseline commit) served as then, against the same API and data. Runs alternate sides.
 */
export async function benchCitizenPages(webDir: string, o: { runs: number }, log: Log): Promise<CitizenResult> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let keepToday = false;
  const today = buildAsToday(webDir);
  try {
    log(`citizen: built ${today.rev} (the pages as built today) in ${today.dist}`);
    const pgDir = mkdtempSync(join(tmpdir(), 'guichet-bench-citizen-pg-'));
    cleanups.push(() => rmSync(pgDir, { recursive: true, force: true }));
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, persistent: false, log });
    cleanups.push(() => pg.stop());
    await ensureDatabase(pg.url('postgres'), 'guichet_bench_citizen');
    const dataDir = mkdtempSync(join(tmpdir(), 'guichet-bench-citizen-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const app: RunningApp = await createApp({
      ...benchConfig(pg.url('guichet_bench_citizen'), dataDir),
      seedDemo: true,
      webDistDir: join(webDir, 'dist'),
    });
    cleanups.push(() => app.close());
    const then = await serveAsToday(today.dist, app.url);
    cleanups.push(() => then.close());

    // A request with a short exchange for the tracking page.
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${app.url}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ reference: string; trackingToken: string }>;
    };
    const demo = (await (await fetch(`${app.url}/api/v1/public/organizations/demo`)).json()) as {
      teams: { id: string; name: string }[];
    };
    const created = await post('/public/organizations/demo/requests', {
      teamId: demo.teams.find((t) => t.name === 'État civil')!.id,
      name: 'Mathilde Garnier',
      email: 'mathilde.garnier@example.fr',
      subject: 'Copie intégrale d’acte de naissance',
      body: 'Bonjour, je me marie en juin et il me faut une copie intégrale de mon acte de naissance. Pouvez-vous me l’envoyer par courrier ? Merci.',
    });
    const tracking = `/suivi/${created.reference}?token=${created.trackingToken}`;
    await post(`/public/requests/${created.reference}?token=${created.trackingToken}`, {
      body: 'J’ajoute que je suis née à Lyon, en 1994. Bonne journée.',
    });

    const pool = await launchBrowserPool();
    cleanups.push(() => pool.close());
    const probe = await pool.newPage();
    const userAgent = await probe.evaluate(() => navigator.userAgent);
    await probe.context().close();

    const pages = [
      { name: 'request form', path: '/demandes/demo', field: '#field-name' },
      { name: 'tracking page', path: tracking, field: '#tracking-reply' },
    ];
    const result: CitizenResult['pages'] = [];
    for (const p of pages) {
      const sides = { app: app.url, today: then.url };
      const figures: Record<'app' | 'today', PageFigures> = {
        app: { scripts: [], wireTotal: 0, lcpMs: [], lcpElement: '', fieldMs: [], inputMs: [], inputDelayMs: [] },
        today: { scripts: [], wireTotal: 0, lcpMs: [], lcpElement: '', fieldMs: [], inputMs: [], inputDelayMs: [] },
      };
      // One warm-up load per side (Chromium and the API's first queries), not counted.
      for (const side of ['app', 'today'] as const) await loadOnce(pool, sides[side] + p.path, p.field);
      for (let run = 0; run < o.runs; run++) {
        for (const side of run % 2 ? (['today', 'app'] as const) : (['app', 'today'] as const)) {
          const load = await loadOnce(pool, sides[side] + p.path, p.field);
          const input = await firstInputOnce(pool, sides[side] + p.path, p.field);
          const f = figures[side];
          f.scripts = load.scripts;
          f.wireTotal = load.wireTotal;
          f.lcpElement = load.lcpElement;
          f.lcpMs.push(load.lcpMs);
          f.fieldMs.push(input.fieldMs);
          f.inputMs.push(input.handledMs);
          f.inputDelayMs.push(input.delayMs);
        }
      }
      log(`citizen: ${p.name} measured (${o.runs} cold loads and ${o.runs} first inputs per side)`);
      result.push({ ...p, app: figures.app, today: figures.today });
    }
    const [version] = await app.app.get(Database).query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    keepToday = true;
    return {
      rev: today.rev,
      pages: result,
      todayDist: today.dist,
      removeToday: today.remove,
      browser: `Chromium ${/Chrome\/([\d.]+)/.exec(userAgent)?.[1] ?? 'unknown'} (headless)`,
      server: version!.v,
    };
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* best effort */
      }
    }
    if (!keepToday) today.remove();
  }
}
