/** Whether something that began at `since` has outlived `ttlSeconds` at `now`. */
export function isExpired(since: string | Date, ttlSeconds: number, now: Date): boolean {
  const start = typeof since === 'string' ? Date.parse(since) : since.getTime();
  // An unreadable timestamp is kept: deleting a partner's data on a parse error would be worse.
  if (!Number.isFinite(start)) return false;
  return now.getTime() >= start + ttlSeconds * 1000;
}
