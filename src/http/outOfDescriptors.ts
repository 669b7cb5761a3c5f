const CODES = new Set(['EMFILE', 'ENFILE']);

/**
 * The process (or the system) ran out of file descriptors: too many connections are open, and no
 * file, socket or lazily loaded module can be opened until some close. Not the client's fault and
 * not lasting: answered 503 with Retry-After, never a 400 or a 500. Looks through `cause` chains.
 */
export function isOutOfDescriptors(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (CODES.has(String((current as NodeJS.ErrnoException).code))) return true;
    if (/\bE[MN]FILE\b/.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

export const OUT_OF_DESCRIPTORS_DETAIL =
  'The server has too many connections open to take this request now; nothing was changed. Retry after Retry-After.';
