import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import type { components } from '../../src/http/generated/openapi.ts';
import {
  ADMIN_DATABASE_URL,
  createTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../support/postgres.ts';
import { type ReceivedCallback, startReceiver, webhookHeadersOf } from '../support/receiver.ts';
import { resilientPartner } from '../support/resilientPartner.ts';
import { type SandboxCluster, startSandboxCluster } from '../support/sandboxCluster.ts';
import { TEST_ADMIN_TOKEN } from '../support/storeVariants.ts';

/**
 * Issue 14, item 9: the shared sandbox under chaos. Three api instances and two workers on one
 * database; a few hundred flows of two partners, each request of a flow sent to another instance;
 * mid-run one api instance and one worker are killed with SIGKILL and started again on their
 * ports. Whatever was accepted must come out exactly once, to the right partner only.
 */

type Schemas = components['schemas'];
type ImageType = 'SELFIE' | 'DOCUMENT';

const FLOWS = 240;
const CONCURRENCY = 16;
/** The kill comes once this share of the flows has been confirmed… */
const KILL_AFTER_CONFIRMED = 0.3;
/** …and flows from this share on start only once both are back, so the restarted ones serve too. */
const AFTER_RESTART_FROM = 0.6;
/** How long a confirmed flow may stay PROCESSING (a confirm whose instance died waits 10 s for its claim). */
const POLL_LIMIT_MS = 40_000;
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * All the set-up, the flows and the waits for their callbacks take at most this long (the hook's
 * own timeout is 110 s): when the sandbox loses work, the assertions say what, instead of a timeout.
 */
const BUDGET_MS = 100_000;
/** The fixture engine's declared score for success-selfie + document. */
const FIXTURE_SCORE = 92;

const PARTNERS = [
  {
    clientId: 'demo',
    clientSecret: 'demo-secret',
    webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
  },
  {
    clientId: 'demo-2',
    clientSecret: 'demo-2-secret',
    webhookSecret: 'whsec_ZGVtbzItd2ViaG9vay1zZWNyZXQtOTg3NjU0MzIx',
  },
] as const;
type Partner = (typeof PARTNERS)[number];

/** One partner flow as the client lived it: what each step was answered. */
interface Flow {
  index: number;
  partner: Partner;
  correlationId?: string;
  /** The ETag of each upload answered 200. */
  uploaded: Partial<Record<ImageType, string>>;
  /** The confirm was answered 202. */
  confirmed: boolean;
  /** Every status a poll saw, in order. */
  statuses: string[];
  details?: Schemas['SubmissionDetails'];
  /** The step that gave up, and why. */
  failure?: string;
  /** The instance of every attempt, in order. */
  asked: string[];
}

interface Retry {
  flow: number;
  path: string;
  base: string;
  status?: number;
  reason: string;
}

const unavailable = await postgresUnavailable();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) for `condition`; false when the time ran out, so the assertions can say what is missing. */
async function settled(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** `fn` over `items`, at most `limit` at once. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/**
 * A request the test makes outside the flows: bounded, never retried (every instance must answer).
 * No answer at all is status 0, with the reason as the body.
 */
async function answer(url: string, init: RequestInit = {}) {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: await response.text(),
    };
  } catch (error) {
    const why = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return { status: 0, contentType: null, body: `no answer: ${why}` };
  }
}

const jsonOr = (text: string): Record<string, unknown> => {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { unreadable: text };
  }
};

/** Connections the five instances may hold at once: a worker's job runners alone take 21 (16 delivery, 2 scoring, 3). */
const CONNECTIONS_NEEDED = 75;

/**
 * Waits (bounded) until the PostgreSQL server has room for this test's instances: a server shared
 * with other test files (or other work) that has none would make them refuse connections, and the
 * test would report what that breaks instead of what the chaos does.
 */
async function connectionRoom(url: string): Promise<string | null> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5000,
    query_timeout: REQUEST_TIMEOUT_MS,
  });
  await client.connect();
  try {
    let free = 0;
    let max = 0;
    const deadline = Date.now() + 30_000;
    do {
      const { rows } = await client.query(
        `SELECT current_setting('max_connections')::int AS max,
                (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used`,
      );
      max = rows[0].max;
      free = max - rows[0].used;
      if (free >= CONNECTIONS_NEEDED) return null;
      await sleep(500);
    } while (Date.now() < deadline);
    return `PostgreSQL has ${free} of its ${max} connections free (for 30 s); the five instances of this test need up to ${CONNECTIONS_NEEDED}. Run it when fewer clients share the server, or raise max_connections.`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe.skipIf(unavailable !== null)(
  `shared sandbox (3 api + 2 workers on PostgreSQL): ${FLOWS} flows, kill -9 of an api instance and a worker mid-run`,
  () => {
    const startedAt = Date.now();
    let database: TestDatabase | undefined;
    let db: pg.Pool | undefined;
    let cluster: SandboxCluster | undefined;
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    let configDir: string | undefined;
    /** What the receiver answered each request, by index. */
    const replies: number[] = [];
    const retries: Retry[] = [];
    const flows: Flow[] = Array.from({ length: FLOWS }, (_, index) => ({
      index,
      partner: PARTNERS[index % PARTNERS.length] as Partner,
      uploaded: {},
      confirmed: false,
      statuses: [],
      asked: [],
    }));
    const chaos = {
      killedAt: 0,
      waitedMs: 0,
      confirmedAtKill: 0,
      /** The jobs (`task:id`) the killed worker held locked when it died. */
      held: [] as string[],
      /** From the SIGKILL until the dead worker's row was gone and none of its jobs locked. */
      takeoverMs: null as number | null,
      /** Which instance logged the take-over. */
      takenOverBy: [] as string[],
      restartedAfterMs: 0,
      error: undefined as string | undefined,
    };
    let chaosMs = 0;
    let peakConnections = 0;
    let callbacksSettled = false;
    let deliveriesSettled = false;
    const admin = new Map<string, { status: number; body: Record<string, unknown> }>();
    const summary: string[] = [];

    const apiUrl = (i: number) => {
      const apis = cluster?.apis ?? [];
      return (apis[i % apis.length] as { url: string }).url;
    };
    const flowOf = new Map<string, Flow>();
    const correlationOf = (request: ReceivedCallback) => {
      try {
        return (JSON.parse(request.rawBody) as { data?: { correlationId?: string } }).data?.correlationId;
      } catch {
        return undefined;
      }
    };

    beforeAll(async () => {
      const budgetEnds = Date.now() + BUDGET_MS;
      /** What is left of the budget once `reserveMs` are kept for what comes after. */
      const left = (reserveMs: number) => Math.max(0, budgetEnds - reserveMs - Date.now());
      const noRoom = await connectionRoom(ADMIN_DATABASE_URL);
      if (noRoom) throw new Error(noRoom);
      database = await createTestDatabase('chaos');
      db = new pg.Pool({
        connectionString: database.url,
        max: 2,
        connectionTimeoutMillis: 5000,
        query_timeout: REQUEST_TIMEOUT_MS,
      });
      // Every callback accepted a little slowly (so some are on the wire when the worker dies), but
      // every tenth request refused: retries go out from whichever worker takes them.
      receiver = await startReceiver((n) => {
        const refused = n % 10 === 9;
        replies[n] = refused ? 503 : 204;
        return refused ? 503 : { status: 204, delayMs: 150 };
      });
      configDir = mkdtempSync(join(tmpdir(), 'facematch-chaos-'));
      const config = join(configDir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          partners: PARTNERS,
          processing: { delayMs: 200, concurrency: 2, retryAfterSeconds: 1 },
          callbacks: { retryScheduleMs: [200, 400, 800, 1600], timeoutMs: 2000 },
          // Small pools: a worker's job runners take 16 delivery + 2 scoring connections besides, and
          // five instances share the server's 100 with whatever other test file runs beside this one.
          store: { takeoverSeconds: 3, pollIntervalMs: 50, poolSize: 3 },
          // Behind one load balancer the instances share the public URL, which names the token
          // issuer; here each listens on its own port, so they get the one issuer they would have.
          tokens: { audience: 'facematch-api', issuer: 'http://sandbox.test' },
        }),
      );
      cluster = await startSandboxCluster({
        apis: 3,
        workers: 2,
        args: [
          '--engine',
          'fixture',
          '--config',
          config,
          '--database-url',
          database.url,
          '--admin-token',
          TEST_ADMIN_TOKEN,
        ],
      });
      const running = cluster;
      const images = {
        SELFIE: await readFixture('success-selfie'),
        DOCUMENT: await readFixture('document'),
      };

      const runFlow = async (flow: Flow) => {
        // Each attempt goes to the next instance: token from one, create on a second, upload
        // through a third…, and a refused connection is simply retried on the next.
        let turn = flow.index;
        const client = resilientPartner({
          baseUrl: () => {
            const base = apiUrl(turn++);
            flow.asked.push(base);
            return base;
          },
          clientId: flow.partner.clientId,
          clientSecret: flow.partner.clientSecret,
          stepTimeoutMs: 20_000,
          onRetry: (retry) => retries.push({ flow: flow.index, ...retry }),
        });
        let step = 'token';
        try {
          const auth = { authorization: `Bearer ${await client.token()}` };
          step = 'create';
          const created = await client.request('/v1/submissions', () => ({
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({
              selfieContentType: 'image/png',
              callbackUrl: receiver?.url,
              referenceId: `chaos-${flow.index}`,
            }),
          }));
          if (created.status !== 201) throw new Error(`answered ${created.status}: ${await created.text()}`);
          const submission = (await created.json()) as Schemas['CreateSubmissionResponse'];
          const id = submission.correlationId;
          flow.correlationId = id;
          flowOf.set(id, flow);
          for (const upload of submission.uploads) {
            step = `upload ${upload.imageType}`;
            // The presigned URL names the instance that made it; its path and query go to any.
            const target = new URL(upload.url);
            const path = target.pathname + target.search;
            const put = await client.request(path, (base) => ({
              url: `${base}${path}`,
              method: 'PUT',
              headers: upload.headers,
              body: new Uint8Array(images[upload.imageType]),
            }));
            const text = await put.text();
            if (put.status !== 200) throw new Error(`answered ${put.status}: ${text}`);
            flow.uploaded[upload.imageType] = put.headers.get('etag') ?? '(no ETag header)';
          }
          step = 'confirm';
          const key = randomUUID();
          const confirmed = await client.request(`/v1/submissions/${id}/confirm`, () => ({
            method: 'POST',
            headers: { ...auth, 'idempotency-key': key },
          }));
          const confirmText = await confirmed.text();
          if (confirmed.status !== 202) throw new Error(`answered ${confirmed.status}: ${confirmText}`);
          flow.confirmed = true;
          step = 'poll';
          const deadline = Date.now() + Math.min(POLL_LIMIT_MS, left(25_000));
          for (;;) {
            const polled = await client.request(`/v1/submissions/${id}/status`, () => ({ headers: auth }));
            if (polled.status !== 200) throw new Error(`answered ${polled.status}: ${await polled.text()}`);
            const { status } = (await polled.json()) as Schemas['SubmissionStatus'];
            flow.statuses.push(status);
            if (status === 'COMPLETED' || status === 'FAILED') break;
            if (Date.now() > deadline)
              throw new Error(`still ${status} when the test's time for polling was up`);
            await sleep(100);
          }
          step = 'details';
          const details = await client.request(`/v1/submissions/${id}`, () => ({ headers: auth }));
          if (details.status !== 200) throw new Error(`answered ${details.status}: ${await details.text()}`);
          flow.details = (await details.json()) as Schemas['SubmissionDetails'];
        } catch (error) {
          flow.failure = `${step}: ${(error as Error).message}`;
        }
      };

      /** The worker's graphile-worker locker ids, from the row its work queue keeps. */
      const lockersOf = async (pid: number | undefined): Promise<{ id: string; lockers: string[] }> => {
        const { rows } = await (db as pg.Pool).query(
          'SELECT id, locker_ids FROM facematch.instances WHERE description LIKE $1',
          [`% pid ${pid}`],
        );
        const row = rows[0];
        if (!row) throw new Error(`no facematch.instances row for the worker with pid ${pid}`);
        return { id: row.id, lockers: row.locker_ids };
      };
      const lockedBy = async (lockers: string[], task?: 'deliver') =>
        (
          await (db as pg.Pool).query(
            'SELECT count(*)::int AS n FROM facematch_jobs.jobs WHERE locked_by = ANY($1) AND task_identifier LIKE $2',
            [lockers, task ?? '%'],
          )
        ).rows[0].n as number;

      const killAndRestart = async () => {
        const confirmedBeforeKill = Math.ceil(FLOWS * KILL_AFTER_CONFIRMED);
        const flowsDone = await settled(
          () => flows.filter((flow) => flow.confirmed).length >= confirmedBeforeKill,
          left(40_000),
        );
        if (!flowsDone) throw new Error(`${confirmedBeforeKill} flows were not confirmed in time`);
        const api = running.apis[1] as (typeof running.apis)[number];
        const worker = running.workers[0] as (typeof running.workers)[number];
        const victim = await lockersOf(worker.current().child.pid);
        const waitFrom = Date.now();
        // Killed while it holds work, a callback on the wire if it can be had (else a scoring job), so
        // there is something to take over and, likely, a callback the receiver got but no one recorded.
        (await settled(async () => (await lockedBy(victim.lockers, 'deliver')) > 0, 5000)) ||
          (await settled(async () => (await lockedBy(victim.lockers)) > 0, 5000));
        const held = await (db as pg.Pool).query(
          // Each job's key names its work: `deliver:<webhook-id>` or `process:<correlationId>`.
          'SELECT key FROM facematch_jobs.jobs WHERE locked_by = ANY($1)',
          [victim.lockers],
        );
        // A job whose key is gone was replaced while it ran (a retry queued behind it).
        chaos.held = held.rows.map((row) => (row.key === null ? 'superseded' : String(row.key)));
        chaos.killedAt = Date.now();
        chaos.waitedMs = chaos.killedAt - waitFrom;
        chaos.confirmedAtKill = flows.filter((flow) => flow.confirmed).length;
        await Promise.all([api.killHard(), worker.killHard()]);
        const takeover = (async () => {
          const gone = await settled(async () => {
            const { rows } = await (db as pg.Pool).query(
              'SELECT count(*)::int AS n FROM facematch.instances WHERE id = $1',
              [victim.id],
            );
            return rows[0].n === 0 && (await lockedBy(victim.lockers)) === 0;
          }, 20_000);
          if (gone) chaos.takeoverMs = Date.now() - chaos.killedAt;
        })().catch(() => undefined);
        try {
          await sleep(500);
          await Promise.all([api.restart(), worker.restart()]);
          chaos.restartedAfterMs = Date.now() - chaos.killedAt;
        } finally {
          await takeover;
        }
        chaos.takenOverBy = running.workers
          .filter((each) => /took over the jobs of instance/.test(each.output()))
          .map((each) => each.name);
      };

      // The most connections the instances held at once, for the summary (sampled while the flows run).
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const { rows } = await (db as pg.Pool)
            .query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()')
            .catch(() => ({ rows: [{ n: 0 }] }));
          peakConnections = Math.max(peakConnections, rows[0].n);
          await sleep(250);
        }
      })();
      const runStarted = Date.now();
      const chaosDone = killAndRestart().catch((error: unknown) => {
        chaos.error = (error as Error).message;
      });
      const restartFrom = Math.ceil(FLOWS * AFTER_RESTART_FROM);
      await inPool(flows, CONCURRENCY, async (flow) => {
        if (flow.index >= restartFrom) await chaosDone;
        if (left(25_000) === 0) flow.failure = 'not started: the flows before it used up the time';
        else await runFlow(flow);
      });
      await chaosDone;
      chaosMs = Date.now() - runStarted;
      sampling = false;
      await sampler;

      // Every completed flow's callback accepted by the receiver (2xx), then no delivery pending anywhere.
      const completed = flows.filter((flow) => flow.details?.status === 'COMPLETED');
      callbacksSettled = await settled(() => {
        const accepted = new Set(
          (receiver?.requests ?? []).filter((_, n) => replies[n] === 204).map(correlationOf),
        );
        return completed.every((flow) => accepted.has(flow.correlationId));
      }, left(15_000));
      deliveriesSettled = await settled(async () => {
        const pending = await answer(`${apiUrl(0)}/__admin/callbacks?state=pending`, {
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        });
        return pending.status === 200 && (jsonOr(pending.body).deliveries as unknown[]).length === 0;
      }, left(10_000));
      // The admin view of every submission a flow made, each read from another instance.
      await inPool(
        flows.filter((flow) => flow.correlationId),
        CONCURRENCY,
        async (flow, i) => {
          const got = await answer(`${apiUrl(i)}/__admin/submissions/${flow.correlationId}`, {
            headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          });
          admin.set(flow.correlationId as string, { status: got.status, body: jsonOr(got.body) });
        },
      );
    }, 110_000);

    afterAll(async () => {
      const repeats = (receiver?.requests.length ?? 0) - new Set(receiver?.requests.map(webhookIdOf)).size;
      summary.unshift(
        `[chaos] ${FLOWS} flows (${FLOWS / PARTNERS.length} per partner, ${CONCURRENCY} at once) over 3 api instances + 2 workers: ` +
          `${flows.filter((f) => f.confirmed).length} confirmed, ${flows.filter((f) => f.details?.status === 'COMPLETED').length} completed, ` +
          `${flows.filter((f) => f.failure).length} gave up; ` +
          `${flows.filter((f) => new Set(f.asked).size === 3).length} spoke to all three api instances; ` +
          `${retries.length} attempts retried on the next instance (${retries.filter((r) => r.status === undefined).length} refused or cut, ` +
          `${retries.filter((r) => r.status === 409).length} 409, ${retries.filter((r) => (r.status ?? 0) >= 500).length} 5xx); ` +
          `${receiver?.requests.length ?? 0} callback requests for ${new Set(receiver?.requests.map(webhookIdOf)).size} webhook-ids: ` +
          `${repeats} repeats (${repeatsAfterAcceptance()} of a callback already answered 2xx); ` +
          `killed once ${chaos.confirmedAtKill} flows were confirmed (after ${chaos.waitedMs} ms waiting for the worker to hold a job); the killed worker held ${chaos.held.length} job(s) (${heldAtKill()}); take-over ${chaos.takeoverMs === null ? 'NOT SEEN' : `${(chaos.takeoverMs / 1000).toFixed(1)} s`} after the kill ` +
          `(by ${chaos.takenOverBy.join(', ') || 'nobody logged'}); both back ${(chaos.restartedAfterMs / 1000).toFixed(1)} s after the kill; ` +
          `at most ${peakConnections} database connections; flows ran ${(chaosMs / 1000).toFixed(1)} s, everything ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      const serverErrors = new Map<string, number>();
      for (const retry of retries.filter((r) => r.status !== undefined)) {
        const what = retry.reason.slice(0, 160);
        serverErrors.set(what, (serverErrors.get(what) ?? 0) + 1);
      }
      for (const [what, count] of serverErrors) summary.push(`[chaos] ${count}× retried after ${what}`);
      for (const death of (cluster?.all ?? []).flatMap((instance) => instance.diedOnTheirOwn()))
        summary.push(`[chaos] ${death}`);
      if (chaos.error) summary.push(`[chaos] the kill and restart did not go as planned: ${chaos.error}`);
      console.info(summary.join('\n'));
      await cluster?.stop().catch((error: unknown) => console.error(error));
      await receiver?.close().catch(() => undefined);
      await db?.end().catch(() => undefined);
      if (configDir) rmSync(configDir, { recursive: true, force: true });
      await database?.drop();
    }, 60_000);

    const webhookIdOf = (request: ReceivedCallback) => webhookHeadersOf(request)['webhook-id'] ?? '';

    /** Requests for a webhook-id after the receiver had already answered one of its requests 2xx. */
    function repeatsAfterAcceptance(): number {
      const accepted = new Set<string>();
      let repeats = 0;
      for (const [n, request] of (receiver?.requests ?? []).entries()) {
        const id = webhookIdOf(request);
        if (accepted.has(id)) repeats++;
        if (replies[n] === 204) accepted.add(id);
      }
      return repeats;
    }

    /** The jobs the killed worker held, each with how often the receiver got it (callbacks) or its outcome. */
    function heldAtKill(): string {
      return chaos.held
        .map((job) => {
          const [task, id] = job.split(':');
          if (task === 'superseded') return 'a job replaced while it ran';
          if (task === 'deliver') {
            const got = (receiver?.requests ?? []).filter((request) => webhookIdOf(request) === id).length;
            return `a callback received ${got}×`;
          }
          return `scoring ${id}, now ${flows.find((flow) => flow.correlationId === id)?.details?.status ?? 'unknown'}`;
        })
        .join(', ');
    }

    /** Log lines of the instances that say something went wrong, for a failure's message. */
    const errorsLogged = () =>
      (cluster?.all ?? [])
        .flatMap((instance) =>
          instance
            .output()
            .split('\n')
            .filter((line) => /^error:/.test(line))
            .map((line) => `${instance.name}: ${line}`),
        )
        .slice(0, 20)
        .concat(
          (cluster?.all ?? [])
            .flatMap((instance) => instance.diedOnTheirOwn())
            .map((death) => death.split('\n')[0] ?? ''),
        )
        .join('\n');

    it('the kill and the restart happened as planned', () => {
      expect(chaos.error, 'the chaos itself').toBeUndefined();
      expect(chaos.takeoverMs, 'the dead worker’s jobs were never taken over').not.toBeNull();
    });

    it('every flow was accepted (the partner retries on the next instance; none gave up)', () => {
      const gaveUp = flows
        .filter((flow) => flow.failure && !flow.confirmed)
        .map((flow) => `flow ${flow.index} (${flow.partner.clientId}) ${flow.failure}`);
      expect(gaveUp, `flows refused before their confirm was answered 202\n${errorsLogged()}`).toEqual([]);
    });

    it('every flow confirmed (202) completes exactly once: COMPLETED with the fixture score, never FAILED', () => {
      const wrong = flows
        .filter((flow) => flow.confirmed)
        .filter(
          (flow) =>
            flow.failure !== undefined ||
            flow.details?.status !== 'COMPLETED' ||
            flow.details.result?.score !== FIXTURE_SCORE ||
            flow.statuses.some((status) => status === 'FAILED' || status === 'AWAITING_UPLOAD') ||
            flow.statuses.indexOf('COMPLETED') !== flow.statuses.length - 1,
        )
        .map(
          (flow) =>
            `${flow.correlationId} (${flow.partner.clientId}): ${flow.failure ?? `${flow.details?.status} score ${flow.details?.result?.score}`}; polls saw ${flow.statuses.join(' → ')}`,
        );
      expect(wrong, `accepted flows lost or finished wrongly\n${errorsLogged()}`).toEqual([]);
      // The store holds one outcome and one completion delivery per submission, whoever finished it.
      const notOnce = flows
        .filter((flow) => flow.confirmed)
        .flatMap((flow) => {
          const held = admin.get(flow.correlationId as string);
          const callbacks = (held?.body.callbacks ?? []) as Array<{ webhookId: string; state: string }>;
          return held?.status === 200 &&
            held.body.status === 'COMPLETED' &&
            held.body.score === FIXTURE_SCORE &&
            callbacks.length === 1 &&
            callbacks[0]?.state === 'delivered'
            ? []
            : [
                `${flow.correlationId}: admin API answered ${held?.status} ${held?.body.status} score ${held?.body.score}, deliveries ${JSON.stringify(callbacks.map((c) => [c.webhookId, c.state]))}`,
              ];
        });
      expect(notOnce, 'submissions without exactly one outcome and one delivered callback').toEqual([]);
    });

    it('nothing accepted is lost: each upload answered 200 is the image scored, each completion reached the receiver', () => {
      const otherImage = flows.flatMap((flow) => {
        const held = admin.get(flow.correlationId as string);
        if (!flow.confirmed || !held) return [];
        if (held.status !== 200)
          return [
            `${flow.correlationId}: the admin API answered ${held.status} ${JSON.stringify(held.body)}`,
          ];
        const images = (held.body.images ?? []) as Array<{ imageType: ImageType; etag: string | null }>;
        return (Object.entries(flow.uploaded) as Array<[ImageType, string]>).flatMap(([role, etag]) => {
          const kept = images.find((image) => image.imageType === role)?.etag;
          return kept === etag
            ? []
            : [`${flow.correlationId} ${role}: the PUT answered ETag ${etag}, the sandbox holds ${kept}`];
        });
      });
      expect(otherImage, 'uploads answered 200 that are not the image the sandbox scored').toEqual([]);
      const accepted = new Set(
        (receiver?.requests ?? []).filter((_, n) => replies[n] === 204).map(correlationOf),
      );
      const noCallback = flows
        .filter((flow) => flow.details?.status === 'COMPLETED' && !accepted.has(flow.correlationId))
        .map((flow) => `${flow.correlationId} (${flow.partner.clientId})`);
      expect(noCallback, 'completed submissions whose completion callback never arrived').toEqual([]);
      expect(callbacksSettled && deliveriesSettled, 'deliveries still pending when the time was up').toBe(
        true,
      );
    });

    it('a callback is repeated only under its own webhook-id, and every one verifies with its partner’s secret', () => {
      const requests = receiver?.requests ?? [];
      const idsByCorrelation = new Map<string, Set<string>>();
      const correlationsById = new Map<string, Set<string>>();
      const problems: string[] = [];
      for (const request of requests) {
        const correlationId = correlationOf(request) ?? '(unreadable body)';
        const id = webhookIdOf(request);
        idsByCorrelation.set(correlationId, (idsByCorrelation.get(correlationId) ?? new Set()).add(id));
        correlationsById.set(id, (correlationsById.get(id) ?? new Set()).add(correlationId));
        const flow = flowOf.get(correlationId);
        if (!flow) {
          problems.push(`${id}: a callback for ${correlationId}, which no flow made`);
          continue;
        }
        try {
          new Webhook(flow.partner.webhookSecret).verify(request.rawBody, webhookHeadersOf(request));
        } catch (error) {
          problems.push(
            `${id} (${flow.partner.clientId}): does not verify with its partner's secret: ${(error as Error).message}`,
          );
        }
        const body = JSON.parse(request.rawBody) as { data: { status: string } };
        if (body.data.status !== 'COMPLETED') problems.push(`${id}: says ${body.data.status}`);
      }
      const severalIds = [...idsByCorrelation]
        .filter(([, ids]) => ids.size !== 1)
        .map(([correlationId, ids]) => `${correlationId}: webhook-ids ${[...ids].join(', ')}`);
      expect(severalIds, 'submissions whose completion came under more than one webhook-id').toEqual([]);
      const severalCorrelations = [...correlationsById]
        .filter(([, ids]) => ids.size !== 1)
        .map(([id, correlationIds]) => `${id}: for ${[...correlationIds].join(', ')}`);
      expect(severalCorrelations, 'webhook-ids used for more than one submission').toEqual([]);
      expect(problems, 'callbacks that do not verify or say the wrong thing').toEqual([]);
      const otherId = flows.flatMap((flow) => {
        const held = admin.get(flow.correlationId as string);
        const recorded = ((held?.body.callbacks ?? []) as Array<{ webhookId: string }>).map(
          (c) => c.webhookId,
        );
        const received = [...(idsByCorrelation.get(flow.correlationId as string) ?? [])];
        return flow.confirmed && received.length > 0 && JSON.stringify(recorded) !== JSON.stringify(received)
          ? [
              `${flow.correlationId}: the sandbox recorded ${recorded.join(', ')}, the receiver got ${received.join(', ')}`,
            ]
          : [];
      });
      expect(otherId, 'callbacks sent under another webhook-id than the one the sandbox recorded').toEqual(
        [],
      );
    });

    it('tenant isolation is byte-identical on every api instance; a partner’s own details too', async () => {
      const tokenOf = async (partner: Partner) => {
        const got = await answer(`${apiUrl(0)}/v1/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${partner.clientId}:${partner.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        });
        return `Bearer ${(JSON.parse(got.body) as { access_token: string }).access_token}`;
      };
      const [demo, other] = PARTNERS;
      const otherToken = await tokenOf(other);
      const apis = cluster?.apis ?? [];
      const leaks: string[] = [];
      const demoFlows = flows.filter((flow) => flow.partner === demo && flow.correlationId);
      const tails = ['', '/status', '/callbacks'];
      // What an id no one made gets on each instance (the id itself aside, as it is named in the answer).
      const unseen = new Map<string, string>();
      for (const api of apis) {
        for (const tail of tails) {
          const unknown = randomUUID();
          const none = await answer(`${api.url}/v1/submissions/${unknown}${tail}`, {
            headers: { authorization: otherToken },
          });
          unseen.set(
            `${api.name}${tail}`,
            JSON.stringify({ ...none, body: none.body.replaceAll(unknown, '{id}') }),
          );
        }
      }
      const checks = demoFlows.flatMap((flow) =>
        apis.flatMap((api) => tails.map((tail) => ({ flow, api, tail }))),
      );
      await inPool(checks, CONCURRENCY, async ({ flow, api, tail }) => {
        const id = flow.correlationId as string;
        const theirs = await answer(`${api.url}/v1/submissions/${id}${tail}`, {
          headers: { authorization: otherToken },
        });
        const seen = JSON.stringify({ ...theirs, body: theirs.body.replaceAll(id, '{id}') });
        const expected = unseen.get(`${api.name}${tail}`);
        if (seen !== expected) {
          leaks.push(
            `${api.name} GET /v1/submissions/${id}${tail} as ${other.clientId}: ${seen} where an unknown id gets ${expected}`,
          );
        }
      });
      expect(leaks, 'answers that tell another partner’s submission from none').toEqual([]);

      const tokens = new Map(await Promise.all(PARTNERS.map(async (p) => [p, await tokenOf(p)] as const)));
      const differ: string[] = [];
      await inPool(
        flows.filter((flow) => flow.correlationId),
        CONCURRENCY,
        async (flow) => {
          const answers = await Promise.all(
            apis.map((api) =>
              answer(`${api.url}/v1/submissions/${flow.correlationId}`, {
                headers: { authorization: tokens.get(flow.partner) as string },
              }),
            ),
          );
          const distinct = new Set(answers.map((each) => JSON.stringify(each)));
          if (distinct.size !== 1 || answers[0]?.status !== 200) {
            differ.push(
              `${flow.correlationId} (${flow.partner.clientId}): ${apis.map((api, i) => `${api.name} ${JSON.stringify(answers[i])}`).join('; ')}`,
            );
          }
        },
      );
      expect(differ, 'details that differ between instances').toEqual([]);
    });

    it('every instance is ready at the end, the restarted ones too', async () => {
      const notReady: string[] = [];
      for (const instance of cluster?.all ?? []) {
        const got = await answer(`${instance.url}/readyz`).catch((error: unknown) => ({
          status: 0,
          body: (error as Error).message,
        }));
        if (got.status !== 200) notReady.push(`${instance.name}: ${got.status} ${got.body}`);
      }
      const deaths = (cluster?.all ?? []).flatMap((instance) => instance.diedOnTheirOwn());
      expect(notReady, `instances not ready at the end\n${deaths.join('\n')}`).toEqual([]);
    });
  },
);

if (unavailable !== null) describe.skip(`shared sandbox chaos: ${unavailable}`, () => {});
