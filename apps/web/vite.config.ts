import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Kept free of Node typings so the app's single tsconfig (DOM only) can check this file too.
declare const process: { env: Record<string, string | undefined> };

const API_TARGET = process.env.GUICHET_API_URL ?? 'http://localhost:3000';
const here = (path: string): string => decodeURIComponent(new URL(path, import.meta.url).pathname);
const contractsSrc = here('../../libs/contracts/src/');

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: {
    // The web app compiles the shared contracts from source: one truth, no stale dist.
    alias: { '@guichet/contracts': `${contractsSrc}index.ts` },
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
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
    },
  },
});
