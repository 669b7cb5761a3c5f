/**
 * Where the bucket's objects live, as the bucket router needs them. The router validates partner
 * input first, so an invalid key reaching an implementation is a bug (it may throw).
 */
export interface ObjectMeta {
  contentType: string;
  /** Quoted lower-case hex MD5 of the bytes, as S3 gives it for single-part uploads. */
  etag: string;
  size: number;
  storedAt: Date;
}

export interface StoredObject extends ObjectMeta {
  bytes: Buffer;
}

export interface ObjectStore {
  /**
   * Replaces any object under the same key, as S3 does; readers see the old or the new object
   * whole. `locked` when the key's owner refuses the write at that moment (e.g. its submission is
   * confirmed): decided in the same step as the write, so no write slips past a lock.
   */
  put(key: string, bytes: Buffer, meta: { contentType: string; etag: string }): Promise<'stored' | 'locked'>;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectMeta | null>;
}
