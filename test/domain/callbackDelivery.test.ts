import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  type CallbackDeliveryRecord,
  type DeliveryAttempt,
  type ForcedDelivery,
  failDelivery,
  openDelivery,
  reopenDelivery,
} from '../../src/domain/CallbackDelivery.ts';

const t0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const SCHEDULE = [1000, 5000];

function opened(forced?: ForcedDelivery): CallbackDeliveryRecord {
  return openDelivery({
    id: 'msg_1',
    correlationId: 'c1',
    partnerId: 'demo',
    url: 'https://partner.example/callbacks',
    body: '{"type":"submission.completed"}',
    at: t0,
    ...(forced ? { forced } : {}),
  });
}

const answered = (statusCode: number, when = t0): DeliveryAttempt => ({
  at: when.toISOString(),
  durationMs: 3,
  statusCode,
  ok: statusCode >= 200 && statusCode < 300,
  ...(statusCode >= 300 ? { error: `receiver answered ${statusCode}; only 2xx counts as delivered` } : {}),
});
const refused: DeliveryAttempt = {
  at: t0.toISOString(),
  durationMs: 1,
  ok: false,
  error: 'connection refused (ECONNREFUSED)',
};

/** The record after each of `attempts`, each made (and recorded) at the time the previous one asked for. */
function run(record: CallbackDeliveryRecord, attempts: DeliveryAttempt[], schedule = SCHEDULE) {
  const steps: CallbackDeliveryRecord[] = [];
  let current = record;
  for (const attempt of attempts) {
    const now = new Date(current.nextAttemptAt ?? t0.toISOString());
    current = afterAttempt(current, attempt, schedule, now);
    steps.push(current);
  }
  return steps;
}

describe('openDelivery', () => {
  it('is pending, due at once, with no attempts, and keeps what the scenario forces', () => {
    expect(opened({ failAttempts: 2 })).toEqual({
      id: 'msg_1',
      correlationId: 'c1',
      partnerId: 'demo',
      url: 'https://partner.example/callbacks',
      body: '{"type":"submission.completed"}',
      state: 'pending',
      createdAt: t0.toISOString(),
      attempts: [],
      nextAttemptAt: t0.toISOString(),
      forced: { failAttempts: 2 },
      revision: 0,
    });
    expect(opened()).not.toHaveProperty('forced');
  });
});

describe('afterAttempt', () => {
  it('is delivered on a 2xx, with nothing more to come', () => {
    const [delivered] = run(opened(), [answered(204)]);
    expect(delivered).toMatchObject({ state: 'delivered', attempts: [answered(204)] });
    expect(delivered).not.toHaveProperty('nextAttemptAt');
    expect(delivered).not.toHaveProperty('failureReason');
  });

  it('schedules each retry by the schedule, counted from the attempt, then gives up saying why', () => {
    const record = opened();
    const [first, second, third] = run(record, [answered(500), refused, answered(503)]);
    expect(first).toMatchObject({ state: 'pending', nextAttemptAt: at(1000).toISOString() });
    expect(second).toMatchObject({ state: 'pending', nextAttemptAt: at(6000).toISOString() });
    expect(third).toMatchObject({
      state: 'failed',
      failureReason: 'gave up after 3 attempts (retry schedule exhausted)',
    });
    expect(third).not.toHaveProperty('nextAttemptAt');
    // Every attempt stays in the history, as the receiver met it.
    expect(third?.attempts).toEqual([answered(500), refused, answered(503)]);
    // A pure step: the record it started from is unchanged.
    expect(record).toEqual(opened());
  });

  it('fails after the first attempt when there is no retry schedule', () => {
    const [only] = run(opened(), [answered(500)], []);
    expect(only).toMatchObject({ state: 'failed', failureReason: expect.stringMatching(/after 1 attempts/) });
  });

  it('counts the retry schedule from the last redelivery', () => {
    const [, , failed] = run(opened(), [answered(500), answered(500), answered(500)]);
    const reopened = reopenDelivery(failed as CallbackDeliveryRecord, at(60_000));
    expect(reopened).toMatchObject({
      state: 'pending',
      retryBase: 3,
      nextAttemptAt: at(60_000).toISOString(),
    });
    const after = run(reopened as CallbackDeliveryRecord, [answered(500), answered(500), answered(500)]);
    expect(after.map((r) => r.nextAttemptAt)).toEqual([
      at(61_000).toISOString(),
      at(66_000).toISOString(),
      undefined,
    ]);
    expect(after[2]).toMatchObject({
      state: 'failed',
      failureReason: 'gave up after 6 attempts (retry schedule exhausted)',
    });
  });

  it('counts the first N answered attempts as failed when a scenario forces it, then delivers', () => {
    const steps = run(opened({ failAttempts: 2 }), [answered(200), answered(200), answered(200)]);
    expect(steps.map((r) => r.state)).toEqual(['pending', 'pending', 'delivered']);
    const [first, second, third] = steps[2]?.attempts ?? [];
    for (const forced of [first, second]) {
      expect(forced).toMatchObject({ ok: false, statusCode: 200 });
      expect(forced?.error).toBe(
        'counted as failed by the scenario (the receiver answered 200); the next attempt follows the retry schedule',
      );
    }
    expect(third).toEqual(answered(200));
    // The retries follow the schedule like any failure.
    expect(steps.map((r) => r.nextAttemptAt)).toEqual([
      at(1000).toISOString(),
      at(6000).toISOString(),
      undefined,
    ]);
  });

  it('keeps a failure the receiver caused as it was, forced or not', () => {
    const [first] = run(opened({ failAttempts: 2 }), [refused]);
    expect(first?.attempts).toEqual([refused]);
  });

  it('gives up, every attempt counted failed, when a scenario forces all to fail', () => {
    const steps = run(opened({ failAttempts: 'all' }), [answered(200), answered(200), answered(200)]);
    const last = steps[2];
    expect(last).toMatchObject({
      state: 'failed',
      failureReason: 'gave up after 3 attempts (retry schedule exhausted)',
    });
    expect(last?.attempts.every((a) => !a.ok && a.statusCode === 200)).toBe(true);
  });

  it('repeats a delivered callback as many times as forced, at once, staying delivered whatever a repeat meets', () => {
    const steps = run(opened({ duplicates: 2 }), [answered(200), answered(500), answered(200)]);
    expect(steps.map((r) => r.state)).toEqual(['delivered', 'delivered', 'delivered']);
    // Each repeat is due when the previous attempt was recorded; after the last, nothing more.
    expect(steps.map((r) => r.nextAttemptAt)).toEqual([t0.toISOString(), t0.toISOString(), undefined]);
    expect(steps[2]?.attempts.map((a) => a.statusCode)).toEqual([200, 500, 200]);
    expect(steps[2]).not.toHaveProperty('failureReason');
  });

  it('repeats only after the forced failures, and does not count the repeats as failed', () => {
    const steps = run(opened({ failAttempts: 1, duplicates: 1 }), [
      answered(200),
      answered(200),
      answered(200),
    ]);
    expect(steps.map((r) => [r.state, r.nextAttemptAt])).toEqual([
      ['pending', at(1000).toISOString()],
      ['delivered', at(1000).toISOString()],
      ['delivered', undefined],
    ]);
    expect(steps[2]?.attempts.map((a) => a.ok)).toEqual([false, true, true]);
  });
});

describe('failDelivery', () => {
  it('gives a delivery up without an attempt, saying why, with nothing more to come', () => {
    const record = opened();
    const failed = failDelivery(record, 'cannot sign: no usable webhook secret');
    expect(failed).toMatchObject({
      state: 'failed',
      failureReason: 'cannot sign: no usable webhook secret',
      attempts: [],
    });
    expect(failed).not.toHaveProperty('nextAttemptAt');
    expect(record).toEqual(opened());
  });
});

describe('reopenDelivery', () => {
  it('refuses while a delivery is pending', () => {
    expect(reopenDelivery(opened(), t0)).toBeUndefined();
    const [retrying] = run(opened(), [answered(500)]);
    expect(reopenDelivery(retrying as CallbackDeliveryRecord, t0)).toBeUndefined();
  });

  it('refuses while forced repeats of a delivered one are still to come', () => {
    const [delivered] = run(opened({ duplicates: 1 }), [answered(200)]);
    expect(delivered?.state).toBe('delivered');
    expect(reopenDelivery(delivered as CallbackDeliveryRecord, t0)).toBeUndefined();
  });

  it('sends a failed delivery again now, same id and body, its history kept and the scenario no longer forcing', () => {
    const [, failed] = run(opened({ failAttempts: 'all' }), [answered(200), answered(200)], [1000]);
    expect(failed?.state).toBe('failed');
    const reopened = reopenDelivery(failed as CallbackDeliveryRecord, at(90_000));
    expect(reopened).toMatchObject({
      id: 'msg_1',
      body: '{"type":"submission.completed"}',
      state: 'pending',
      nextAttemptAt: at(90_000).toISOString(),
      retryBase: 2,
      attempts: failed?.attempts,
    });
    expect(reopened).not.toHaveProperty('failureReason');
    expect(reopened).not.toHaveProperty('forced');
    // Without the scenario, the receiver's 200 now counts.
    const [delivered] = run(reopened as CallbackDeliveryRecord, [answered(200)]);
    expect(delivered?.state).toBe('delivered');
  });

  it('sends a delivered one again once its repeats are done', () => {
    const [delivered] = run(opened(), [answered(200)]);
    expect(reopenDelivery(delivered as CallbackDeliveryRecord, at(5))).toMatchObject({
      state: 'pending',
      retryBase: 1,
      nextAttemptAt: at(5).toISOString(),
    });
  });
});
