/**
 * The store could not be reached or written (the database is gone, the disk is full, the data
 * dir was removed). The store has changed nothing, so the caller can answer "try again" truthfully:
 * nothing was accepted. `what` says what failed, in words an operator can act on.
 */
export class StorageError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageError';
  }
}
