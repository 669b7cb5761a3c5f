/**
 * What an object key may be. S3 accepts almost any UTF-8 up to 1024 bytes; we accept less,
 * because keys reach a directory store and error documents: no control characters (NUL ends
 * C strings, newlines would make the signed string ambiguous), no backslash (a path separator
 * on Windows), and no empty, `.` or `..` segments (path traversal, and keys that differ only in
 * how a filesystem would normalise them). Our own keys (`uploads/<id>/<type>`) pass easily.
 */
export const MAX_OBJECT_KEY_BYTES = 1024;

export type ObjectKeyProblem =
  | { kind: 'too-long'; bytes: number; maxBytes: number }
  | { kind: 'invalid'; reason: string };

export function checkObjectKey(key: string): ObjectKeyProblem | null {
  if (key.length === 0) return { kind: 'invalid', reason: 'The object key is empty; put it after /bucket/.' };
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_OBJECT_KEY_BYTES) return { kind: 'too-long', bytes, maxBytes: MAX_OBJECT_KEY_BYTES };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    return { kind: 'invalid', reason: 'The object key contains a control character (e.g. NUL or newline).' };
  }
  if (key.includes('\\')) return { kind: 'invalid', reason: 'The object key contains a backslash.' };
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      return {
        kind: 'invalid',
        reason:
          'The object key has an empty, "." or ".." segment; use plain names separated by single slashes.',
      };
    }
  }
  return null;
}

export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    readonly problem: ObjectKeyProblem,
  ) {
    super(
      problem.kind === 'too-long'
        ? `Object key is ${problem.bytes} bytes; at most ${problem.maxBytes} are allowed.`
        : problem.reason,
    );
    this.name = 'InvalidObjectKeyError';
  }
}

/** For callers that build keys themselves (stores, the presigner): a bad key there is a bug. */
export function assertObjectKey(key: string): void {
  const problem = checkObjectKey(key);
  if (problem) throw new InvalidObjectKeyError(key, problem);
}

/** Each segment percent-encoded, slashes kept, so URLs stay readable as S3's do. */
export function encodeObjectKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * The key named by a request path below the bucket mount (`/uploads/abc/SELFIE`), or null when
 * the percent-encoding is malformed. `%2F` decodes to a slash, which names the same key as a
 * literal slash, as in S3.
 */
export function decodeObjectKeyPath(path: string): string | null {
  const raw = path.startsWith('/') ? path.slice(1) : path;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
