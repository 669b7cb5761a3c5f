/** Types for build-dashboard.mjs, which the build script runs as plain JavaScript. */
export function buildDashboard(root: string, options?: { ifStale?: boolean }): Promise<'built' | 'current'>;
