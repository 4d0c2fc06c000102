import type { BrowserPool } from '@guichet/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { seriousAxeViolations } from './axe';

/** The built agent app the Chromium suites serve, and where their screenshots go (created). */
export function webPaths(): { dist: string; shots: string } {
  const dist = join(__dirname, '..', 'dist');
  const shots = join(__dirname, '..', '..', '..', '.test-data', 'screenshots');
  if (!existsSync(join(dist, 'index.html')))
    throw new Error('apps/web/dist is missing: `pnpm --filter @guichet/web build` first');
  mkdirSync(shots, { recursive: true });
  return { dist, shots };
}

/** A new page signed in as one of the demo town's accounts, on the inbox. */
export async function signInDemo(pool: BrowserPool, url: string, email: string): Promise<Page> {
  const page = await pool.newPage();
  await page.goto(url);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('guichet-demo');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('navigation', { name: 'Vues de la boîte de réception' }).waitFor({ timeout: 15_000 });
  return page;
}

/** No serious or critical axe violation on the page, named by its screen in the failure. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect({ screen, violations }).toEqual({ screen, violations: [] });
}
