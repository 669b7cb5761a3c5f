import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../../scripts/build-dashboard.mjs';

/**
 * vitest globalSetup: the browser tests drive the dashboard as `npm run build` makes it, so a
 * missing or stale ui/dist/ is rebuilt once, before any worker starts (about a second; nothing
 * when it is current).
 */
export default async function setup(): Promise<void> {
  await buildDashboard(fileURLToPath(new URL('../..', import.meta.url)), { ifStale: true });
}
