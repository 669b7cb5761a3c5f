import type { IncomingMessage, ServerResponse } from 'node:http';
import { s3Errors, sendS3Error } from '../bucket/s3Error.ts';
import { PROBLEMS } from './problemCatalogue.ts';

/**
 * What the port answers before the app is attached (engine loading, data dir
 * being read): never silence, which would leave a health check or a partner's
 * first call hanging. Probes get the Health document they expect; everything
 * else a `not-ready` problem with Retry-After, so clients know to come back.
 */
export function answerNotReady(
  req: IncomingMessage,
  res: ServerResponse,
  { version, retryAfterSeconds }: { version: string; retryAfterSeconds: number },
): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  res.setHeader('Retry-After', String(retryAfterSeconds));
  res.setHeader('Cache-Control', 'no-store');
  // The bucket speaks S3 XML even now: SDKs parse <Code> to decide to retry.
  if (path.startsWith('/bucket/')) {
    sendS3Error(res, s3Errors.serviceUnavailable());
    return;
  }
  if (path === '/healthz' || path === '/readyz') {
    // The process is alive while it starts; it is not ready to take work.
    const alive = path === '/healthz';
    sendJson(res, alive ? 200 : 503, 'application/json', { status: alive ? 'ok' : 'starting', version });
    return;
  }
  const entry = PROBLEMS['not-ready'];
  sendJson(res, entry.status, 'application/problem+json', {
    type: '/problems/not-ready',
    title: entry.title,
    status: entry.status,
    detail: entry.detail,
    instance: req.url ?? '/',
    code: 'not-ready',
  });
}

function sendJson(res: ServerResponse, status: number, type: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
