// The web app (one Vite + React app; the public booking page is its first area). Built into
// web/dist, which server/plugins/web.ts serves; `npm run dev:web` proxies the API to API_URL.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the page CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // dist/.vite/manifest.json: the chunk graph, from which scripts/size-web.mjs tells what each page loads.
    manifest: true,
  },
  server: {
    proxy: {
      '/fhir': api,
      '/auth': api,
      '/booking': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
