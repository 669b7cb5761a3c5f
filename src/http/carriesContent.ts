import type { IncomingMessage } from 'node:http';

/**
 * Content sent with GET or HEAD has no meaning (RFC 9110 §9.3.1), so it is
 * ignored there — neither parsed nor checked against the contract — rather
 * than refused with a status the operation does not document.
 */
export function carriesContent(req: IncomingMessage): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}
