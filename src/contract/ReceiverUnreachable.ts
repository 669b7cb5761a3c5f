/**
 * No connection could be made to the receiver at all: every check would fail the same way, so the
 * run stops at the first and says why once (a refused connection, a name that does not resolve).
 */
export class ReceiverUnreachable extends Error {
  override readonly name = 'ReceiverUnreachable';
  constructor(
    readonly url: string,
    /** What the network said, in words: "connection refused", "host not found". */
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** fetch says only "fetch failed"; the reason a person can act on is in its cause's code. */
export function networkFailureReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && REASONS[cause.code]) return REASONS[cause.code] as string;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
