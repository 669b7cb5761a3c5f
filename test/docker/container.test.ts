import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresUnavailable } from '../support/postgres.ts';
import { hasCurlAndJq, readmeBlocks, runCurlWalkThrough } from '../support/readmeWalkThrough.ts';
import { startFlow } from '../support/runFlow.ts';

/*
 * The project image as a partner runs it: published on another host port than the container's
 * 8080 with FACEMATCH_PUBLIC_URL naming it, --data-dir on the /data volume, the README
 * walk-through (uploads to the presigned URLs included) over the published port, the health
 * check, and `docker stop` ending in exit code 0. Not in the default `npm test` (building the
 * image takes minutes): FACEMATCH_DOCKER_TEST=1 npx vitest run test/docker (.ci/run does).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMAGE = process.env.FACEMATCH_IMAGE ?? 'facematch-mock';
const exec = promisify(execFile);
const docker = (...args: string[]) => exec('docker', args, { timeout: 60_000 });

const dockerReachable = spawnSync('docker', ['info'], { timeout: 20_000 }).status === 0;
if (!dockerReachable)
  console.warn(
    'test/docker skipped: no Docker engine answers `docker info` (start one with scripts/start-dockerd.sh)',
  );
if (!hasCurlAndJq) console.warn('test/docker skipped: the README walk-through needs curl and jq on PATH');

const container = `facematch-test-${randomUUID().slice(0, 8)}`;
const volume = `${container}-data`;
let base = '';
let workDir = '';

describe.skipIf(!dockerReachable || !hasCurlAndJq)(`the Docker image (${IMAGE})`, () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'docker-test-'));
    if (spawnSync('docker', ['image', 'inspect', IMAGE]).status !== 0) {
      // Building takes minutes; .ci/run builds first so this is only for a lone run.
      await exec('bash', [join(ROOT, 'scripts/docker-build.sh'), IMAGE], {
        timeout: 20 * 60_000,
        maxBuffer: 64 * 2 ** 20,
      });
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await docker(
      'run',
      '--detach',
      '--name',
      container,
      '--publish',
      `127.0.0.1:${port}:8080`,
      '--volume',
      `${volume}:/data`,
      '--env',
      `FACEMATCH_PUBLIC_URL=${base}`,
      '--env',
      'FACEMATCH_DATA_DIR=/data',
      // The walk-through's expected score is the fixture engine's; the models get their own test.
      '--env',
      'FACEMATCH_ENGINE=fixture',
      IMAGE,
    );
    await waitUntilReady(`${base}/readyz`, 60_000);
  }, 25 * 60_000);

  afterAll(async () => {
    if (process.env.FACEMATCH_KEEP_CONTAINER !== '1') {
      await docker('rm', '--force', container).catch(() => {});
      await docker('volume', 'rm', volume).catch(() => {});
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('runs the README walk-through over the remapped port, uploads included, ending in a Success', async () => {
    const output = await runCurlWalkThrough(base, workDir);
    expect(JSON.parse(output[4] as string)).toMatchObject({ score: 92, outcome: 'Success' });
    expect(output[5]).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('serves the dashboard it built in its build stage', async () => {
    const page = await fetch(`${base}/ui`, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`, { signal: AbortSignal.timeout(10_000) });
    expect(asset.status).toBe(200);
  });

  it('runs as the unprivileged node user and keeps what it accepted in the /data volume', async () => {
    expect((await docker('exec', container, 'id', '-u')).stdout.trim()).toBe('1000');
    const { stdout } = await docker('exec', container, 'find', '/data', '-type', 'f');
    expect(stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });

  it('reports healthy through its HEALTHCHECK', async () => {
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await docker('inspect', '--format', '{{.State.Health.Status}}', container)).stdout.trim();
      if (status === 'healthy' || status === 'unhealthy') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(status).toBe('healthy');
  });

  it('scores two photos with the ONNX models it ships', async () => {
    const { stdout } = await docker(
      'run',
      '--rm',
      IMAGE,
      'score',
      'fixtures/success-selfie.png',
      'fixtures/document.jpg',
      '--json',
    );
    const result = JSON.parse(stdout) as { score: number; engine: string };
    expect(result.engine).toMatch(/^onnx\//);
    expect(result.score).toBeGreaterThanOrEqual(80);
  });

  it("starts as the README's Docker variant of the CI job says, and answers ready", async () => {
    const block = readmeBlocks('Contract testing in CI')[1];
    expect(block).toContain('docker run');
    const port = await freePort();
    // The block names its container facematch-mock and its image facematch-mock, as a partner's job does.
    const script = [
      'set -euo pipefail',
      (block as string)
        .replace(' facematch-mock\n', ` ${IMAGE}\n`)
        .replace('--name facematch-mock', `--name ${container}-ci`),
    ].join('\n');
    try {
      const { stdout } = await exec('bash', ['-c', script], {
        env: { ...process.env, PORT: String(port) },
        timeout: 90_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toMatchObject({ status: 'ok' });
    } finally {
      await docker('rm', '--force', `${container}-ci`).catch(() => {});
    }
  });

  it('runs as a shared-sandbox worker and api over PostgreSQL: migrations, pg and graphile-worker are in the image', async ({
    skip,
  }) => {
    const unavailable = await postgresUnavailable();
    if (unavailable) skip(unavailable);
    const database = await createTestDatabase('docker');
    const shared = `${container}-sandbox`;
    const env = (name: string, value: string) => ['-e', `${name}=${value}`];
    try {
      // Host networking: the containers reach the PostgreSQL of the machine the tests run on.
      const [apiPort, workerPort] = [await freePort(), await freePort()];
      for (const [role, port] of [
        ['api', apiPort],
        ['worker', workerPort],
      ] as const) {
        await docker(
          'run',
          '--detach',
          '--name',
          `${shared}-${role}`,
          '--network',
          'host',
          ...env('FACEMATCH_DATABASE_URL', database.url),
          ...env('FACEMATCH_ADMIN_TOKEN', 'docker-operator-token-0123456789'),
          ...env('FACEMATCH_PUBLIC_URL', `http://127.0.0.1:${apiPort}`),
          ...env('FACEMATCH_ENGINE', 'fixture'),
          IMAGE,
          'serve',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--role',
          role,
        );
      }
      for (const [role, port] of [
        ['api', apiPort],
        ['worker', workerPort],
      ] as const) {
        const deadline = Date.now() + 60_000;
        let answer: { status: number; body: unknown } = { status: 0, body: null };
        while (Date.now() < deadline) {
          answer = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
            async (r) => ({ status: r.status, body: await r.json() }),
            () => ({ status: 0, body: null }),
          );
          if (answer.status === 200) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(answer).toMatchObject({ status: 200, body: { status: 'ok', store: 'postgres', role } });
      }
      // A flow through the api container is scored by the worker container.
      const token = await fetch(`http://127.0.0.1:${apiPort}/v1/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
        signal: AbortSignal.timeout(10_000),
      }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
      const flow = await startFlow(`http://127.0.0.1:${apiPort}`, token);
      expect((await flow.client.pollUntilFinished(flow.id, 60_000)).status).toBe('COMPLETED');
    } finally {
      await docker('rm', '--force', `${shared}-api`, `${shared}-worker`).catch(() => {});
      await database.drop();
    }
  });

  it('stops on `docker stop` with exit code 0: the SIGTERM reaches node, not a shell or npm', async () => {
    await docker('stop', '--time', '30', container);
    const { stdout } = await docker(
      'inspect',
      '--format',
      '{{.State.ExitCode}} {{.State.OOMKilled}}',
      container,
    );
    expect(stdout.trim()).toBe('0 false');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { stdout, stderr } = await docker('logs', container).catch(() => ({ stdout: '', stderr: '' }));
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms; container log:\n${stdout}${stderr}`);
}
