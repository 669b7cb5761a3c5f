import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type CappedBody =
  | { kind: 'complete'; bytes: Buffer; etag: string }
  /** More than `maxBytes` arrived; reading stopped there and the rest was never taken in. */
  | { kind: 'too-large'; receivedBytes: number }
  /** No byte arrived for `idleTimeoutMs` before the body ended: the client is waiting for us. */
  | { kind: 'stalled'; receivedBytes: number }
  /** The connection went away before the body ended; nobody is left to answer. */
  | { kind: 'aborted'; receivedBytes: number };

/**
 * Reads a request body, holding at most `maxBytes` (+ one chunk) in memory whatever the client
 * declares or streams, and computing the S3-style ETag (quoted hex MD5) on the way.
 *
 * The idle timeout exists for the commonest upload bug: a Content-Length larger than the bytes
 * actually sent (string length instead of byte length). Such a client sends its body and then
 * waits for an answer that would otherwise only come when Node's request timeout kills it.
 */
export function readCappedBody(
  req: IncomingMessage,
  limits: { maxBytes: number; idleTimeoutMs: number },
): Promise<CappedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const md5 = createHash('md5');
    let received = 0;
    let idle: NodeJS.Timeout | undefined;

    const stop = (result: CappedBody) => {
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (result.kind !== 'complete' && result.kind !== 'aborted') {
        // Paused, not drained: the caller answers and closes the connection, so whatever else
        // the client sends (possibly far over the cap) is never read at all.
        req.pause();
      }
      chunks.length = 0;
      resolve(result);
    };
    const armIdleTimer = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stop({ kind: 'stalled', receivedBytes: received }), limits.idleTimeoutMs);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) return stop({ kind: 'too-large', receivedBytes: received });
      chunks.push(chunk);
      md5.update(chunk);
      armIdleTimer();
    };
    const onEnd = () => {
      const bytes = Buffer.concat(chunks);
      stop({ kind: 'complete', bytes, etag: `"${md5.digest('hex')}"` });
    };
    const onClose = () => stop({ kind: 'aborted', receivedBytes: received });

    // Kept for the request's life: an 'error' without a listener would crash the process, and
    // an aborted upload is reported through 'close' anyway.
    req.on('error', () => {});
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    armIdleTimer();
  });
}
