import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';

/**
 * "The same page built as today": the web app of the commit issue 19 started from (one entry, the
 * citizen pages inside the agent app, React rendering them in the browser), built from git in the
 * same run by the same Vite, and served the way the API served it then (express.static, no
 * compression, the agent page for every other path). GUICHET_BENCH_BASELINE_REV picks another commit.
 */
export const BASELINE_REV = process.env.GUICHET_BENCH_BASELINE_REV ?? '60baf77d9fe2903cb45590b33f405b10928384e7';

export interface BuiltAsToday {
  rev: string;
  dist: string;
  remove(): void;
}

/** That commit's apps/web and libs/contracts sources, built with its own vite.config.ts. */
export function buildAsToday(webDir: string): BuiltAsToday {
  const root = resolve(webDir, '..', '..');
  const tmp = mkdtempSync(join(tmpdir(), 'guichet-bench-today-'));
  try {
    const rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', BASELINE_REV], { encoding: 'utf8' }).trim();
    const tar = join(tmp, 'sources.tar');
    execFileSync('git', [
      '-C',
      root,
      'archive',
      '--format=tar',
      '-o',
      tar,
      BASELINE_REV,
      'apps/web/src',
      'apps/web/index.html',
      'apps/web/vite.config.ts',
      'libs/contracts/src',
    ]);
    execFileSync('tar', ['-xf', tar, '-C', tmp]);
    // The same installed packages (the runtime dependencies did not change).
    symlinkSync(join(webDir, 'node_modules'), join(tmp, 'apps', 'web', 'node_modules'), 'dir');
    symlinkSync(join(root, 'libs', 'contracts', 'node_modules'), join(tmp, 'libs', 'contracts', 'node_modules'), 'dir');
    const config = join(tmp, 'apps', 'web', 'vite.config.ts');
    execFileSync(
      process.execPath,
      [join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', config, '--logLevel', 'error'],
      {
        cwd: join(tmp, 'apps', 'web'),
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      },
    );
    const dist = join(tmp, 'apps', 'web', 'dist');
    if (!existsSync(join(dist, 'index.html'))) throw new Error(`the build of ${rev} wrote no index.html`);
    return { rev, dist, remove: () => rmSync(tmp, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * The build served as app.factory.ts served it before issue 19: the files as they are (no
 * compression) with `Cache-Control: public, max-age=3600`, index.html for every other GET, and the
 * API (at `apiUrl`, the same server the app's side uses) behind /api.
 */
export async function serveAsToday(dist: string, apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (/^\/(api|socket\.io)(\/|$)/.test(path)) {
      const upstream = request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: { ...req.headers, host: api.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const file = normalize(join(dist, path));
    const isFile = file.startsWith(dist + sep) && existsSync(file) && statSync(file).isFile();
    const target = isFile ? file : join(dist, 'index.html');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(target)] ?? 'application/octet-stream',
      'Content-Length': statSync(target).size,
      'Cache-Control': isFile ? 'public, max-age=3600' : 'public, max-age=0',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(target).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
