/** Types for sourceDigest.js, which stays plain JavaScript so the launcher can load it without a loader. */
export function sourceDigest(root: string): string;
