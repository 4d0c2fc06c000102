import { constants, existsSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>;
}

const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/**
 * Playwright, loaded by the first browser launched: every test file imports this package, most
 * never start a browser, and loading playwright-core cost each of them about 0.9 CPU-s.
 */
const playwright = () => require('playwright-core') as typeof import('playwright-core');

/**
 * The browser the tests drive: `CHROMIUM_PATH`, else Debian's `chromium-headless-shell` when
 * installed (the same Chromium build without the desktop browser around it, what Playwright itself
 * runs headless; a new page and its first load cost about a third of the CPU), else `chromium`.
 */
function chromiumPath(desktop = false): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return !desktop && existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium';
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium from the machine (Debian's `chromium` package; `npx playwright install`
 * cannot work here) with a fresh throwaway profile, so tests never share cookies or storage.
 * `CHROMIUM_PATH` overrides the executable.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const executablePath = chromiumPath();
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new Error(`Chromium introuvable: apt-get install -y chromium (cherché : ${executablePath}, ou définir CHROMIUM_PATH)`);
  }

  const userDataDir = await mkdtemp(join(tmpdir(), 'guichet-chromium-'));
  let context: BrowserContext;
  try {
    context = await playwright().chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }

  const page = context.pages()[0] ?? (await context.newPage());
  let closed: Promise<void> | null = null;
  return {
    context,
    page,
    close() {
      closed ??= (async () => {
        try {
          await context.close();
        } finally {
          await rm(userDataDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
        }
      })();
      return closed;
    },
  };
}

export interface BrowserPool {
  /** A page in a fresh, isolated context: its own cookies and localStorage (one agent each). */
  newPage(options?: { viewport?: { width: number; height: number }; javaScriptEnabled?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * One headless Chromium for several isolated users at once (two agents and a supervisor side by
 * side): each `newPage()` opens a new incognito-like context, in fr-FR and Europe/Paris.
 * `desktop`: the whole browser, not its headless shell, for what only it has (the shell never
 * grants desktop notifications).
 */
export async function launchBrowserPool({ desktop = false }: { desktop?: boolean } = {}): Promise<BrowserPool> {
  const executablePath = chromiumPath(desktop);
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new Error(`Chromium introuvable: apt-get install -y chromium (cherché : ${executablePath}, ou définir CHROMIUM_PATH)`);
  }
  const browser = await playwright().chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  let closed: Promise<void> | null = null;
  return {
    async newPage(options = {}) {
      const context = await browser.newContext({
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
        viewport: options.viewport ?? { width: 1440, height: 900 },
        javaScriptEnabled: options.javaScriptEnabled ?? true,
      });
      return context.newPage();
    },
    close() {
      closed ??= browser.close();
      return closed;
    },
  };
}
