import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/bucket/ObjectStore.ts';
import { presignDownload } from '../../src/bucket/presignDownload.ts';
import { presignUpload } from '../../src/bucket/presignUpload.ts';
import { bucketTestApp, credentials, inAnHour, xmlElement } from './bucketTestApp.ts';

const MAX = 64 * 1024;
let server: Server;
let store: ObjectStore;
let baseUrl: string;

beforeAll(async () => {
  const built = bucketTestApp({ maxObjectBytes: MAX, bodyIdleTimeoutMs: 200 });
  store = built.store;
  server = built.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function upload(key: string) {
  return presignUpload({
    publicBaseUrl: baseUrl,
    key,
    contentType: 'image/png',
    expiresAt: inAnHour(),
    credentials,
  });
}

/** A body fetch can only send with Transfer-Encoding: chunked (no length known up front). */
function chunked(total: number, chunkSize = 8 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunkSize, total - sent);
      controller.enqueue(new Uint8Array(size).fill(sent % 251));
      sent += size;
    },
  });
}

/**
 * Sends raw bytes and returns whatever the server answered before closing. `halfClose` ends
 * our side after sending, as a client that gave up would; otherwise we wait like a client
 * that believes it sent everything.
 */
function rawExchange(text: string, { halfClose }: { halfClose: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    if (halfClose) socket.end(text);
    else socket.write(text);
  });
}

describe('the bucket over a real listening port, with Node fetch', () => {
  it('takes a PUT exactly as a partner sends it, then serves the bytes back', async () => {
    const presigned = upload('uploads/real/SELFIE');
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n-not-really-a-png', 'latin1');
    const put = await fetch(presigned.url, {
      method: presigned.method,
      headers: presigned.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe(`"${createHash('md5').update(bytes).digest('hex')}"`);

    const download = presignDownload({
      publicBaseUrl: baseUrl,
      key: 'uploads/real/SELFIE',
      expiresAt: inAnHour(),
      credentials,
    });
    const get = await fetch(download.url);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('accepts a chunked upload (no Content-Length) within the cap', async () => {
    const presigned = upload('uploads/chunked/SELFIE');
    const put = await fetch(presigned.url, {
      method: 'PUT',
      headers: presigned.headers,
      body: chunked(MAX),
      duplex: 'half',
    } as RequestInit);
    expect(put.status).toBe(200);
    expect((await store.head('uploads/chunked/SELFIE'))?.size).toBe(MAX);
  });

  it('stops a chunked upload as soon as it passes the cap, answering EntityTooLarge', async () => {
    const presigned = upload('uploads/chunked/DOCUMENT');
    const put = await fetch(presigned.url, {
      method: 'PUT',
      headers: presigned.headers,
      body: chunked(MAX + 1),
      duplex: 'half',
    } as RequestInit);
    expect(put.status).toBe(400);
    const body = await put.text();
    expect(xmlElement(body, 'Code')).toBe('EntityTooLarge');
    expect(xmlElement(body, 'MaxSizeAllowed')).toBe(String(MAX));
    expect(await store.head('uploads/chunked/DOCUMENT')).toBeNull();
  });

  it('answers EntityTooLarge to an endless upload instead of reading it forever', async () => {
    const presigned = upload('uploads/endless/SELFIE');
    const put = await fetch(presigned.url, {
      method: 'PUT',
      headers: presigned.headers,
      body: chunked(Number.POSITIVE_INFINITY),
      duplex: 'half',
    } as RequestInit);
    expect(put.status).toBe(400);
    expect(xmlElement(await put.text(), 'Code')).toBe('EntityTooLarge');
    expect(await store.head('uploads/endless/SELFIE')).toBeNull();
  });

  it('answers IncompleteBody to a client that waits after sending fewer bytes than its Content-Length', async () => {
    const presigned = new URL(upload('uploads/short/SELFIE').url);
    const answer = await rawExchange(
      `PUT ${presigned.pathname}${presigned.search} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n` +
        'Content-Length: 100\r\n\r\nonly ten b',
      { halfClose: false },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(xmlElement(answer, 'Code')).toBe('IncompleteBody');
    expect(xmlElement(answer, 'NumberBytesExpected')).toBe('100');
    expect(xmlElement(answer, 'NumberBytesProvided')).toBe('10');
    expect(await store.head('uploads/short/SELFIE')).toBeNull();
  });

  it('answers RequestTimeout to a chunked upload that stalls', async () => {
    const presigned = new URL(upload('uploads/stalled/SELFIE').url);
    const answer = await rawExchange(
      `PUT ${presigned.pathname}${presigned.search} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
      { halfClose: false },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(xmlElement(answer, 'Code')).toBe('RequestTimeout');
    expect(await store.head('uploads/stalled/SELFIE')).toBeNull();
  });

  it('stores nothing from a client that hangs up mid-body', async () => {
    const presigned = new URL(upload('uploads/gone/SELFIE').url);
    // Node's parser answers this one itself (a bare 400) before any router could.
    const answer = await rawExchange(
      `PUT ${presigned.pathname}${presigned.search} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n` +
        'Content-Length: 100\r\n\r\nonly ten b',
      { halfClose: true },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await store.head('uploads/gone/SELFIE')).toBeNull();
  });

  it('refuses a literal ../ in the request line, which fetch would have normalised away', async () => {
    const presigned = new URL(upload('uploads/x/SELFIE').url);
    const answer = await rawExchange(
      `PUT /bucket/../../etc/passwd${presigned.search} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n` +
        'Content-Length: 1\r\nConnection: close\r\n\r\nx',
      { halfClose: true },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(xmlElement(answer, 'Code')).toBe('InvalidArgument');
  });
});
