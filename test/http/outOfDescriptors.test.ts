import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { fetchToken } from '../support/fetchToken.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { createTestDatabase, postgresUnavailable } from '../support/postgres.ts';
import { freePort, startServerProcess } from '../support/serverProcess.ts';
import { TEST_ADMIN_TOKEN } from '../support/storeVariants.ts';
import { DEMO } from '../support/testServer.ts';

/**
 * A server that runs out of file descriptors (idle connections holding all of them, under a low
 * `ulimit -n`) answers what it cannot do with 503 + Retry-After, never a 500 or a 400 that blames
 * the request, and carries on once descriptors are free again. Reads the descriptor count from
 * /proc and sets the limit with prlimit: Linux only.
 */
const FILE_LIMIT = 128;
const canRun = existsSync('/proc/self/fd') && existsSync('/usr/bin/prlimit');
if (!canRun) console.warn('outOfDescriptors.test.ts skipped: needs /proc and util-linux prlimit (Linux)');
const noPostgres = await postgresUnavailable();
if (noPostgres) console.warn(`outOfDescriptors.test.ts: the PostgreSQL case is skipped: ${noPostgres}`);
const storages = [
  // A data directory needs a descriptor for every write, so its writes at 0 free must be refused;
  // PostgreSQL may carry on over the pool's open connections.
  { storage: 'a data directory', skip: false, mustRefuse: true },
  { storage: 'PostgreSQL', skip: noPostgres !== null, mustRefuse: false },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!canRun)('out of file descriptors', () => {
  it.each(storages)(
    'with $storage, answers 503 with Retry-After while descriptors run out, loses nothing, and recovers',
    async ({ storage, skip, mustRefuse }) => {
      if (skip) return;
      const dir = mkdtempSync(join(tmpdir(), 'facematch-emfile-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const configFile = join(dir, 'config.json');
      // Idle connections must outlive the test's steps, so they hold their descriptors throughout.
      writeFileSync(
        configFile,
        JSON.stringify({
          partners: [DEMO],
          connections: { idleTimeoutSeconds: 120, keepAliveTimeoutSeconds: 120 },
        }),
      );
      let storageArgs = ['--data-dir', join(dir, 'data')];
      if (storage === 'PostgreSQL') {
        const database = await createTestDatabase('emfile');
        cleanups.push(() => database.drop());
        storageArgs = ['--database-url', database.url, '--admin-token', TEST_ADMIN_TOKEN];
      }
      const port = await freePort();
      const server = startServerProcess(
        ['--port', String(port), '--engine', 'fixture', '--config', configFile, ...storageArgs],
        {},
        { fileLimit: FILE_LIMIT },
      );
      cleanups.push(() => server.kill());
      await server.ready();
      const client = partnerClient(server.url, await fetchToken(server.url, DEMO));
      const selfie = await readFixture('success-selfie');
      const document = await readFixture('document');
      // Descriptor numbers in use below the limit: a new one is the lowest free number, so EMFILE comes
      // when none below the limit is free (some numbers above it may be held from before the limit).
      const openDescriptors = () =>
        readdirSync(`/proc/${server.child.pid}/fd`).filter((fd) => Number(fd) < FILE_LIMIT).length;

      const held: Socket[] = [];
      cleanups.push(() => {
        for (const socket of held) socket.destroy();
      });
      const answers: Array<{ step: string; status: number; retryAfter: string | null; body: string }> = [];
      const record = async (step: string, response: Response, body: unknown) =>
        answers.push({
          step,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: JSON.stringify(body),
        });
      // Submissions made while descriptors are plenty; then 3, 2, 1 and 0 left free for the uploads and
      // the confirm of each (over the one keep-alive connection the client already has: a new
      // connection could not be accepted at all when none is free).
      const levels = [3, 2, 1, 0];
      const submissions = [];
      for (const _ of levels) {
        const created = await client.createSubmission({ selfieContentType: 'image/png' });
        expect(created.response.status).toBe(201);
        submissions.push(created.body);
      }
      for (const [i, free] of levels.entries()) {
        const submission = submissions[i] as (typeof submissions)[number];
        while (openDescriptors() < FILE_LIMIT - free && held.length < 2 * FILE_LIMIT) {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => undefined);
          held.push(socket);
          await new Promise((resolve) => socket.once('connect', resolve));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        try {
          const selfieUp = await client.upload(client.uploadFor(submission, 'SELFIE'), selfie);
          await record(`selfie (${free} free)`, selfieUp, await selfieUp.text());
          const documentUp = await client.upload(client.uploadFor(submission, 'DOCUMENT'), document);
          await record(`document (${free} free)`, documentUp, await documentUp.text());
          // A partner whose upload was refused retries it later rather than confirming (see below).
          if (selfieUp.status !== 200 || documentUp.status !== 200) continue;
          const confirmed = await client.confirm(submission.correlationId);
          await record(`confirm (${free} free)`, confirmed.response, confirmed.body);
          const another = await client.createSubmission({ selfieContentType: 'image/png' });
          await record(`create (${free} free)`, another.response, another.body);
        } catch (error) {
          // The connection itself may be refused when not one descriptor is left: not an answer.
          answers.push({ step: `(${free} free)`, status: 0, retryAfter: null, body: String(error) });
        }
      }
      const failures = answers.filter((a) => a.status >= 400);
      // Out of descriptors is the server's condition, said as such: never a 500, never a 4xx.
      for (const failure of failures) {
        expect(failure, JSON.stringify(answers, null, 1)).toMatchObject({
          status: 503,
          retryAfter: expect.stringMatching(/^\d+$/),
        });
        expect(failure.body).not.toMatch(/EMFILE/);
      }
      if (mustRefuse) expect(failures.length, JSON.stringify(answers, null, 1)).toBeGreaterThan(0);

      for (const socket of held.splice(0)) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Descriptors free again: the refused steps succeed when retried, every submission finishes,
      // and the same server runs a whole new flow.
      const confirmedIds = answers
        .filter((a) => a.step.startsWith('confirm') && a.status === 202)
        .map((a) => (JSON.parse(a.body) as { correlationId: string }).correlationId);
      for (const submission of submissions) {
        if (confirmedIds.includes(submission.correlationId)) continue;
        expect((await client.upload(client.uploadFor(submission, 'SELFIE'), selfie)).status).toBe(200);
        expect((await client.upload(client.uploadFor(submission, 'DOCUMENT'), document)).status).toBe(200);
        expect((await client.confirm(submission.correlationId)).response.status).toBe(202);
      }
      for (const submission of submissions) {
        expect((await client.pollUntilFinished(submission.correlationId)).status).toBe('COMPLETED');
      }
      expect(server.child.exitCode).toBeNull();
    },
    60_000,
  );
});
