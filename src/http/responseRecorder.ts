import type { Response } from 'express';
import type { ExchangeResponse } from './contractValidator.ts';

/**
 * Holds back the end of a response long enough to inspect it. `inspect`
 * returns null to let it through, or the violations to answer instead with a
 * 500 problem — our own bug, surfaced where a test cannot miss it.
 */
export function responseRecorder(
  res: Response,
  inspect: (response: ExchangeResponse) => string[] | null,
): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) chunks.push(toBuffer(chunk));
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') chunks.push(toBuffer(chunk));
    if (res.headersSent) return end(chunk, ...rest);
    const violations = inspect({
      statusCode: res.statusCode,
      headers: headersOf(res),
      body: decodeBody(Buffer.concat(chunks), String(res.getHeader('content-type') ?? '')),
    });
    if (!violations) return end(chunk, ...rest);
    const body = JSON.stringify({
      type: '/problems/response-contract-violation',
      title: 'facematch-mock produced a response that breaks its own OpenAPI contract',
      status: 500,
      code: 'response-contract-violation',
      detail: violations.join('; '),
    });
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/problem+json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    return end(body);
  }) as Response['end'];
}

function toBuffer(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}

function headersOf(res: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of res.getHeaderNames()) headers[name] = String(res.getHeader(name));
  return headers;
}

function decodeBody(bytes: Buffer, contentType: string): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  if (!/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
