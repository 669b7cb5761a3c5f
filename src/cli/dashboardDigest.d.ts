/** Types for dashboardDigest.js, which stays plain JavaScript so the launcher can load it without a loader. */
export function dashboardDigest(root: string): string;
export function dashboardStaleness(root: string): string | undefined;
