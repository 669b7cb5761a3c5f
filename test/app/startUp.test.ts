import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, startServerProcess } from '../support/serverProcess.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

interface Answer {
  path: string;
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: string;
}

/** Fires `path` until the port answers; only a refused connection (not yet listening) is retried. */
async function firstAnswer(server: ServerProcess, path: string): Promise<Answer> {
  for (;;) {
    try {
      const response = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });
      return {
        path,
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        retryAfter: response.headers.get('retry-after'),
        body: await response.text(),
      };
    } catch (error) {
      if (!isConnectionRefused(error) || server.child.exitCode !== null) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

describe('start-up', () => {
  it('answers every request from the first millisecond, 503 until ready and 200 after, none left hanging', async () => {
    const server = startServerProcess(['--port', String(await freePort()), '--engine', 'fixture']);
    cleanups.push(() => server.kill());

    const answers: Answer[] = [];
    // Several requesters in parallel keep the port busy through the whole start-up.
    const paths = [
      '/readyz',
      '/healthz',
      '/openapi.json',
      '/v1/submissions/x/status',
      '/bucket/uploads/x/SELFIE',
    ];
    let ready = false;
    await Promise.all(
      paths.map(async (path) => {
        while (!ready) {
          const answer = await firstAnswer(server, path);
          answers.push(answer);
          if (path === '/readyz' && answer.status === 200) ready = true;
        }
      }),
    );

    for (const answer of answers) {
      if (answer.status === 503) {
        expect(answer.retryAfter, answer.path).toMatch(/^\d+$/);
        if (answer.path === '/readyz') expect(JSON.parse(answer.body)).toMatchObject({ status: 'starting' });
        else if (answer.path.startsWith('/bucket/'))
          expect(answer.body).toContain('<Code>ServiceUnavailable</Code>');
        else {
          expect(answer.contentType).toBe('application/problem+json');
          expect(JSON.parse(answer.body)).toMatchObject({ code: 'not-ready', status: 503 });
        }
      } else {
        // Once ready, the real app answers: 401 for the unauthenticated poll, an S3 error for the unsigned GET.
        expect([200, 400, 401, 403], `${answer.path} → ${answer.status}`).toContain(answer.status);
      }
    }
    expect(answers.some((a) => a.path === '/readyz' && a.status === 200)).toBe(true);
  });

  it('exits non-zero with a clear message when start-up fails after the port opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-notadir-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A data dir that is a file: found only while composing, after listening began.
    const file = join(dir, 'data');
    writeFileSync(file, 'not a directory');
    const server = startServerProcess([
      '--port',
      String(await freePort()),
      '--engine',
      'fixture',
      '--data-dir',
      file,
    ]);
    cleanups.push(() => server.kill());
    const code = await server.exited;
    expect(code).toBe(1);
    expect(server.output()).toMatch(/facematch-mock serve failed: .*(ENOTDIR|EEXIST|not a directory)/);
  });
});
