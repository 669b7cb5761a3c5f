import { describe, expect, it } from 'vitest';
import { CLAIM_TIMEOUT_MS } from '../../../src/store/SandboxStore.ts';
import { idempotencyKey, OTHER_PARTNER, PARTNER, storedAnswer } from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

export function idempotencyContract(stores: Stores): void {
  describe('idempotency', () => {
    it('claim, in-flight while claimed, answered with the stored answer once completed', async () => {
      const { store, clock } = await stores.open();
      const key = idempotencyKey(PARTNER);
      const other = idempotencyKey(PARTNER);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'in-flight' });
      expect(await store.idempotency.claim(PARTNER, other, clock.now())).toEqual({ kind: 'claimed' });

      const answer = storedAnswer(clock, { correlationId: 'c-1', nested: { list: [1, 2] } });
      await store.idempotency.complete(key, answer);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'answered', answer });
      // Still the answer after the claim time-out: an answer is not a claim.
      clock.advance(CLAIM_TIMEOUT_MS + 1_000);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'answered', answer });

      // Copied in and out.
      (answer.body as { correlationId: string }).correlationId = 'changed';
      const got = await store.idempotency.claim(PARTNER, key, clock.now());
      if (got.kind === 'answered') got.answer.headers['x-changed'] = '1';
      const again = await store.idempotency.claim(PARTNER, key, clock.now());
      expect(again.kind === 'answered' && again.answer.body).toEqual({
        correlationId: 'c-1',
        nested: { list: [1, 2] },
      });
      expect(again.kind === 'answered' && again.answer.headers).toEqual({
        'content-type': 'application/json',
      });
    });

    it('release gives a claim up: the next request with the key runs afresh', async () => {
      const { store, clock } = await stores.open();
      const key = idempotencyKey(PARTNER);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      await store.idempotency.release(key);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'in-flight' });
    });

    it('a claim older than CLAIM_TIMEOUT_MS is taken over; a younger one is in flight', async () => {
      const { store, clock } = await stores.open();
      const key = idempotencyKey(PARTNER);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      clock.advance(CLAIM_TIMEOUT_MS - 5_000);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'in-flight' });
      clock.advance(10_000);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      // The take-over is a claim of its own, timed from now.
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'in-flight' });
      const answer = storedAnswer(clock);
      await store.idempotency.complete(key, answer);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'answered', answer });
    });

    it('concurrent claims of one key: exactly one claimed, the others in flight', async () => {
      const { store, clock } = await stores.open();
      for (let round = 0; round < 3; round++) {
        const key = idempotencyKey(PARTNER);
        const answers = await concurrently(10, (i) =>
          turns(i % 3).then(() => store.idempotency.claim(PARTNER, key, clock.now())),
        );
        expect(answers.map((a) => a.kind).sort()).toEqual(['claimed', ...Array<string>(9).fill('in-flight')]);
      }
      // Concurrent take-overs of a stale claim: still one.
      const key = idempotencyKey(PARTNER);
      await store.idempotency.claim(PARTNER, key, clock.now());
      clock.advance(CLAIM_TIMEOUT_MS + 1_000);
      const takeOvers = await concurrently(10, (i) =>
        turns(i % 3).then(() => store.idempotency.claim(PARTNER, key, clock.now())),
      );
      expect(takeOvers.map((a) => a.kind).sort()).toEqual(['claimed', ...Array<string>(9).fill('in-flight')]);
    });

    it('answers expire with the submission retention', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 300 } });
      const key = idempotencyKey(PARTNER);
      const otherKey = idempotencyKey(OTHER_PARTNER);
      await store.idempotency.claim(PARTNER, key, clock.now());
      const answer = storedAnswer(clock);
      await store.idempotency.complete(key, answer);
      clock.advance(200_000);
      await store.idempotency.claim(OTHER_PARTNER, otherKey, clock.now());
      const younger = storedAnswer(clock);
      await store.idempotency.complete(otherKey, younger);
      clock.advance(99_000);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'answered', answer });
      clock.advance(2_000);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      expect(await store.idempotency.claim(OTHER_PARTNER, otherKey, clock.now())).toEqual({
        kind: 'answered',
        answer: younger,
      });
    });
  });
}
