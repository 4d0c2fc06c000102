import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync, readdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { preferredEncoding, type ContentEncoding } from './common/accept-encoding';
import { CITIZEN_PATHS, citizenPages, loadCitizenShell } from './modules/public/citizen-pages';
import { SatisfactionService } from './modules/satisfaction/satisfaction.service';
import { eventPages } from './modules/municipal-events/event-pages';
import { PublicEventService } from './modules/municipal-events/public-event.service';
import { RegistrationService } from './modules/municipal-events/registration.service';
import { PublicService } from './modules/public/public.service';

/** Hashed by the build: their content never changes under the same name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Paths the API itself answers. */
const API_PATHS = /^\/(api|webhooks|socket\.io)(\/|$)/;

/** Every file of the build, by URL path, with the precompressed copies written next to it. */
function listBuild(dir: string): Map<string, { file: string; encodings: Set<ContentEncoding> }> {
  const files = new Map<string, { file: string; encodings: Set<ContentEncoding> }>();
  const all = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
  const present = new Set(all);
  for (const file of all) {
    if (/\.(br|gz)$/.test(file)) continue;
    const encodings = new Set<ContentEncoding>();
    if (present.has(`${file}.br`)) encodings.add('br');
    if (present.has(`${file}.gz`)) encodings.add('gzip');
    files.set(`/${relative(dir, file).split(sep).join('/')}`, { file, encodings });
  }
  return files;
}

/**
 * The web build in `dir` (apps/web/dist), served by the API:
 *  - the citizen pages (/demandes/…, /suivi/…), rendered on the server in the build's citizen.html;
 *  - the build's files with the brotli or gzip copy written at build time when the client takes it
 *    (Content-Encoding, Vary), long-lived and immutable under /assets (hashed names), no-cache else;
 *  - the agent app's index.html (no-cache) for every other page.
 * Without a build, the citizen pages are still served, unstyled.
 */
export function serveWebApp(app: INestApplication, dir: string | undefined): void {
  const built = dir && existsSync(join(dir, 'index.html')) ? dir : undefined;
  const shell = loadCitizenShell(built);
  app.use(eventPages(app.get(PublicEventService), app.get(RegistrationService), shell));
  app.use(citizenPages(app.get(PublicService), shell, app.get(SatisfactionService)));
  if (!built) return;

  const files = listBuild(built);
  const serve = (req: Request, res: Response, next: NextFunction, path: string): void => {
    const entry = files.get(path)!;
    res.setHeader('Cache-Control', path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    let file = entry.file;
    if (entry.encodings.size) {
      res.setHeader('Vary', 'Accept-Encoding');
      const encoding = preferredEncoding(req.headers['accept-encoding'], [...entry.encodings]);
      if (encoding) {
        res.setHeader('Content-Encoding', encoding);
        // The type of what it decodes to, not of a .br/.gz file.
        res.type(extname(entry.file));
        file = `${entry.file}${encoding === 'br' ? '.br' : '.gz'}`;
      }
    }
    res.sendFile(file, { cacheControl: false, dotfiles: 'allow' }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  };

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // The citizen HTML is a template for the server, not a page of its own.
    if (files.has(req.path) && req.path !== '/citizen.html') return serve(req, res, next, req.path);
    // A missing asset is a 404, never the agent page in its place (an old tab asking for an old chunk).
    if (API_PATHS.test(req.path) || CITIZEN_PATHS.test(req.path) || req.path.startsWith('/assets/')) return next();
    // The agent app handles every other page (its routes live in the hash).
    serve(req, res, next, '/index.html');
  });
  // Files written after start-up (a rebuild while the API runs) are still found, uncompressed.
  app.use(
    express.static(built, {
      index: false,
      setHeaders: (res, path) => res.setHeader('Cache-Control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'no-cache'),
    }),
  );
}
