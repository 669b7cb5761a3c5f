import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const target = process.env.FACEMATCH_URL ?? 'http://127.0.0.1:8080';

/**
 * The dashboard, built into ui/dist/ (served by the server at /ui). Preact's JSX is compiled by
 * Vite's own esbuild, so no framework plugin (and no Babel) is needed. `npx vite --config
 * ui/vite.config.ts` serves it with live reload, passing API calls on to a running server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single script and stylesheet, and no inlined data: URLs for the CSP to allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/__admin', '/v1', '/bucket'].map((path) => [path, { target }])),
  },
});
