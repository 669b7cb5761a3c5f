/**
 * Where uploaded bytes live. The bucket router is the only writer; readers (the confirm step,
 * scoring) use `get`. Implementations reject invalid keys (see objectKey.ts) by throwing
 * InvalidObjectKeyError: the router validates partner input first, so a bad key here is a bug.
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
  /** Replaces any object under the same key, as S3 does; readers see the old or the new object whole. */
  put(key: string, bytes: Buffer, meta: { contentType: string; etag: string }): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectMeta | null>;
  /** Removes the object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored key, for retention sweeps and resets. */
  keys(): Promise<string[]>;
}
