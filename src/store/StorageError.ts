/**
 * A record could not be made durable (disk full, data dir removed or not
 * writable). The store has already undone the change in memory, so the caller
 * can answer "try again" truthfully: nothing was accepted.
 */
export class StorageError extends Error {
  constructor(what: string, cause: unknown) {
    super(`could not write ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageError';
  }
}
