import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync, gunzipSync } from 'node:zlib';
import { seedTown, startTestApp, type TestApp } from '../harness';

/** One GET with exactly these headers, the body as it came on the wire (nothing decoded). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The built web app as the API serves it: a build written here the way apps/web's Vite build
 * writes it (hashed files under /assets with their .br and .gz copies, index.html for the agent
 * app, citizen.html for the citizen pages).
 */
describe('web build served by the API: precompressed assets, cache headers, the right HTML per page', () => {
  let t: TestApp;
  let dist: string;
  const script = `export const greeting = ${JSON.stringify('Bonjour '.repeat(400))};\n`;
  const agentHtml =
    '<!doctype html><html lang="fr"><head><title>Guichet</title><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
  const citizenHtml =
    '<!doctype html>\n<html lang="fr">\n<head><title>Guichet</title><script type="module" crossorigin src="/assets/citizen-Zz9.js"></script><link rel="stylesheet" href="/assets/citizen-Yy8.css"></head>\n<body>\n<!--guichet:page-->\n</body>\n</html>\n';

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'guichet-web-dist-'));
    mkdirSync(join(dist, 'assets'));
    const write = (name: string, content: string, compressed = true) => {
      writeFileSync(join(dist, name), content);
      if (!compressed) return;
      writeFileSync(join(dist, `${name}.br`), brotliCompressSync(Buffer.from(content)));
      writeFileSync(join(dist, `${name}.gz`), gzipSync(Buffer.from(content)));
    };
    write('index.html', agentHtml);
    write('citizen.html', citizenHtml);
    write('assets/index-AbC123.js', script);
    write('assets/citizen-Yy8.css', 'body { color: #1b2230; }\n', false);
    t = await startTestApp({ webDistDir: dist });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves a hashed asset precompressed, brotli or else gzip as the client accepts, with Vary and a one-year immutable cache', async () => {
    const url = `${t.url}/assets/index-AbC123.js`;
    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(br.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.length).toBeLessThan(script.length / 5);

    const gz = await get(url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const plain = await get(url, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const css = await get(`${t.url}/assets/citizen-Yy8.css`, { 'accept-encoding': 'br' });
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('serves the agent app’s page with no-cache for any other address, and a 404 for a missing asset', async () => {
    for (const path of ['/', '/index.html', '/une/page/quelconque']) {
      const res = await get(`${t.url}${path}`, { 'accept-encoding': 'br' });
      expect({ path, status: res.status, type: res.headers['content-type'], cache: res.headers['cache-control'] }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
        cache: 'no-cache',
      });
      expect(brotliDecompressSync(res.body).toString()).toBe(agentHtml);
    }
    const missing = await get(`${t.url}/assets/index-Old000.js`);
    expect(missing.status).toBe(404);
    expect(missing.body.toString()).not.toContain('<div id="root">');
    // The API is still the API.
    const health = await get(`${t.url}/api/v1/health`);
    expect(health.headers['content-type']).toMatch(/^application\/json/);
  });

  it('renders the citizen pages in the build’s citizen HTML, compressed, never the agent app’s page', async () => {
    const town = await seedTown(t);
    const res = await get(`${t.url}/demandes/${town.org.slug}`, { 'accept-encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
    const page = brotliDecompressSync(res.body).toString();
    expect(page).toContain(
      '<script type="module" crossorigin src="/assets/citizen-Zz9.js"></script><link rel="stylesheet" href="/assets/citizen-Yy8.css">',
    );
    expect(page).toContain(`<title>Écrire à Ville ${town.org.slug}</title>`);
    expect(page).toContain('<form class="public-form" method="post"');
    expect(page).not.toContain('<div id="root">');
    expect(page).not.toContain('<!--guichet:page-->');

    const gz = await get(`${t.url}/suivi/GU-ZZZZZZ?token=x`, { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(404);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toContain('Cette demande est introuvable.');
    // The template itself is not a page.
    expect((await get(`${t.url}/citizen.html`)).body.toString()).toBe(agentHtml);
  });
});
