import { StorageError } from '../StorageError.ts';

/** Node's socket errors that mean the server is not there (or stopped answering). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  // No descriptor left for a new connection: the database is out of reach from here for now.
  'EMFILE',
  'ENFILE',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a database that cannot take the request now: connection exceptions (class 08),
 * the server shutting down or crashing (57P01–57P03), insufficient resources (class 53), and a
 * statement cancelled by our own statement_timeout (57014): a server too slow to answer is as
 * unreachable as one that is down.
 */
function unreachableSqlState(code: string): boolean {
  return (
    code.startsWith('08') || code.startsWith('53') || ['57P01', '57P02', '57P03', '57014'].includes(code)
  );
}

/** node-postgres says these in words, without a code. */
const CLIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/**
 * Errors met while opening a connection. Whatever the server answered then (a database that is
 * not accepting connections, 55000; one that was dropped, 3D000; a password changed, 28P01), the
 * step could not reach its data: none of them is a mistake in the step's SQL.
 */
const connectFailures = new WeakSet<object>();

/** Marks `error` as met while connecting (see connectFailures), and returns it to be thrown. */
export function failedToConnect(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) connectFailures.add(error);
  return error;
}

/** Whether `error` says the database could not be reached, rather than that our SQL is wrong. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (connectFailures.has(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || unreachableSqlState(code))) return true;
  if (CLIENT_MESSAGES.some((message) => error.message.includes(message))) return true;
  return error.cause !== undefined && error.cause !== error && isUnreachable(error.cause);
}

/**
 * Runs one store operation; a database that cannot be reached rejects it with StorageError (the
 * port's promise to callers, who answer "try again"). Anything else is a bug and is left alone.
 */
export async function reaching<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StorageError || !isUnreachable(error)) throw error;
    throw new StorageError(`PostgreSQL could not be reached (${operation})`, error);
  }
}
