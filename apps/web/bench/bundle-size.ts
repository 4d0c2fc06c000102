import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface InitialJs {
  /** The entry script and its modulepreload links, as index.html names them. */
  files: { path: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
  /** Stylesheets index.html loads (not counted in the JS figure). */
  cssGzip: number;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];

/** Gzipped (zlib level 9) size of the JavaScript `dist/index.html` loads before anything else. */
export function initialJs(distDir: string): InitialJs {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const js: string[] = [];
  const css: string[] = [];
  for (const [tag] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag);
    const rel = attr(tag, 'rel')?.toLowerCase();
    const url = isScript ? attr(tag, 'src') : attr(tag, 'href');
    if (!url || /^(https?:|data:)/.test(url)) continue;
    if (isScript && attr(tag, 'type') === 'module') js.push(url);
    else if (!isScript && rel === 'modulepreload') js.push(url);
    else if (!isScript && rel === 'stylesheet') css.push(url);
  }
  if (!js.length) throw new Error(`no entry script in ${join(distDir, 'index.html')}`);
  const size = (url: string) => {
    const bytes = readFileSync(join(distDir, url.replace(/^\.?\//, '')));
    return { path: url, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const files = [...new Set(js)].map(size);
  return {
    files,
    raw: files.reduce((s, f) => s + f.raw, 0),
    gzip: files.reduce((s, f) => s + f.gzip, 0),
    cssGzip: css.map(size).reduce((s, f) => s + f.gzip, 0),
  };
}

/**
 * The baseline: bench/baseline-app (the same runtime dependencies, a hello world with each)
 * built by the app's Vite in production mode, measured the same way.
 */
export function baselineInitialJs(webDir: string): InitialJs {
  const out = mkdtempSync(join(tmpdir(), 'guichet-bench-baseline-'));
  try {
    execFileSync(
      process.execPath,
      [
        join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        join(webDir, 'bench', 'baseline-app'),
        '--outDir',
        out,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { cwd: webDir, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return initialJs(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
