import { describe, expect, it } from 'vitest';
import { businessNow, frozen, REAL_TIME, resumed } from '../../../src/domain/clockState.ts';
import { OTHER_PARTNER, PARTNER } from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

export function clockContract(stores: Stores): void {
  describe('clocks', () => {
    it('a partner clock runs in real time by default', async () => {
      const { store } = await stores.open();
      expect(await store.clocks.get(PARTNER)).toEqual(REAL_TIME);
      expect(await store.clocks.get(OTHER_PARTNER)).toEqual(REAL_TIME);
    });

    it("initialClock 'frozen': frozen at the instant of the first read, and kept there", async () => {
      const { store, clock } = await stores.open({ initialClock: 'frozen' });
      clock.advance(3_600_000); // a wall time the machine's own clock cannot give
      const before = clock.now().getTime();
      const first = await store.clocks.get(PARTNER);
      const after = clock.now().getTime();
      expect(first.frozenAtMs).not.toBeNull();
      expect(first.frozenAtMs).toBeGreaterThanOrEqual(before);
      expect(first.frozenAtMs).toBeLessThanOrEqual(after);
      expect(businessNow(first, after).getTime()).toBe(first.frozenAtMs);

      clock.advance(600_000);
      expect(await store.clocks.get(PARTNER)).toEqual(first);
      // Another partner's clock freezes at its own first read.
      const other = await store.clocks.get(OTHER_PARTNER);
      expect(other.frozenAtMs).toBeGreaterThanOrEqual(before + 600_000);
    });

    it('update applies the change, returns the new state, and touches no other partner', async () => {
      const { store, clock } = await stores.open();
      const ahead = await store.clocks.update(PARTNER, (state) => ({
        ...state,
        offsetMs: state.offsetMs + 3_600_000,
      }));
      expect(ahead).toEqual({ offsetMs: 3_600_000, frozenAtMs: null });
      expect(await store.clocks.get(PARTNER)).toEqual(ahead);
      expect(await store.clocks.get(OTHER_PARTNER)).toEqual(REAL_TIME);

      const wall = clock.now().getTime();
      const stopped = await store.clocks.update(PARTNER, (state) => frozen(state, wall));
      expect(stopped).toEqual({ offsetMs: 3_600_000, frozenAtMs: wall + 3_600_000 });
      clock.advance(60_000);
      expect(await store.clocks.get(PARTNER)).toEqual(stopped);
      const running = await store.clocks.update(PARTNER, (state) => resumed(state, wall + 60_000));
      expect(running).toEqual({ offsetMs: 3_540_000, frozenAtMs: null });

      // Copied out: changing what was returned changes nothing stored.
      running.offsetMs = 1;
      (await store.clocks.get(PARTNER)).offsetMs = 2;
      expect(await store.clocks.get(PARTNER)).toEqual({ offsetMs: 3_540_000, frozenAtMs: null });
    });

    it('concurrent updates are each applied once, none lost', async () => {
      const { store } = await stores.open();
      const returned = await concurrently(20, (i) =>
        turns(i % 3).then(() =>
          store.clocks.update(PARTNER, (state) => ({ ...state, offsetMs: state.offsetMs + 1_000 })),
        ),
      );
      expect(await store.clocks.get(PARTNER)).toEqual({ offsetMs: 20_000, frozenAtMs: null });
      // Each update returns the state after its own step: 1 s, 2 s, … 20 s, each once.
      expect(returned.map((s) => s.offsetMs).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => (i + 1) * 1_000),
      );
    });
  });
}
