import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Files the server ships with, found relative to this module so the CLI works from any directory. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi/facematch.yaml', import.meta.url));
export const ADMIN_OPENAPI_PATH = fileURLToPath(new URL('../../openapi/admin.yaml', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));
export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string })
  .version;
/** The committed fixture images, whose declared results hold under every engine (provider states use them). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));
/** The dashboard's static build (`npm run build` writes it from ui/); served at /ui. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));
