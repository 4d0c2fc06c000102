import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';

const API_TARGET = process.env.GUICHET_API_URL ?? 'http://localhost:3000';
const here = (path: string): string => decodeURIComponent(new URL(path, import.meta.url).pathname);
const contractsSrc = here('../../libs/contracts/src/');

export default defineConfig({
  root: here('.'),
  plugins: [react(), precompress()],
  resolve: {
    // The web app compiles the shared contracts from source: one truth, no stale dist.
    alias: { '@guichet/contracts': `${contractsSrc}index.ts` },
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    sourcemap: true,
    // Browsers without modulepreload (Safari < 17) still load every module, only a round trip later:
    // not worth a polyfill script in each page, the citizen pages' above all.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      // Two pages, two entries: the agent app (index.html) and the citizen pages (citizen.html, a
      // template the API renders each page into; its script shares nothing with the agent app's).
      input: { index: here('./index.html'), citizen: here('./citizen.html') },
      treeshake: {
        // The contracts are pure declarations (enums, zod schemas, helpers): the browser only uses
        // their types and a few constants, so let the bundler drop zod and libphonenumber.
        moduleSideEffects: (id: string) => !id.startsWith(contractsSrc),
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: true },
      '/socket.io': { target: API_TARGET, ws: true, changeOrigin: true },
      '/webhooks': { target: API_TARGET, changeOrigin: true },
      // The citizen pages are rendered by the API (in the last build's citizen.html).
      '^/(demandes|suivi|evenements|accessibilite|donnees-personnelles)(/|$)': { target: API_TARGET, changeOrigin: true },
    },
  },
});
