import { AsyncLocalStorage } from 'node:async_hooks';
import {
  businessNow,
  type ClockState,
  frozen,
  leadOverWallMs,
  movedTo,
  REAL_TIME,
  resumed,
} from '../domain/clockState.ts';
import type { ClockStore, WorkQueue } from '../store/SandboxStore.ts';

export interface TestClockState {
  /** Business time now, ISO 8601. */
  now: string;
  /** How far business time is ahead of wall time, in ms (0 on a clock in real time). */
  offsetMs: number;
  frozen: boolean;
  /** Work of the partner not yet run (scoring, callback attempts), whenever it falls due. */
  pending: number;
}

/**
 * Every partner's business clock, as Stripe's test clocks work: advance one and the work that
 * falls due on the way runs, in order, before the answer, whichever instance runs it; freeze it;
 * reset it to real time. Two partners' tests never share time.
 */
export interface PartnerClocks {
  now(partnerId: string): Promise<Date>;
  state(partnerId: string): Promise<TestClockState>;
  /** Moves business time forward by `ms`, stepping through every item that falls due, each at its time. */
  advance(partnerId: string, ms: number): Promise<void>;
  freeze(partnerId: string): Promise<void>;
  /** Runs on from the frozen instant, keeping any lead over wall time. */
  resume(partnerId: string): Promise<void>;
  /** Back to wall time, unfrozen; work already due runs at once. */
  reset(partnerId: string): Promise<void>;
  /**
   * Runs `fn` (one request) reading each partner's clock at most once: checking a token, the flow
   * and the journal entry all ask for it, which cost a database round trip each. A clock changed
   * during `fn` through this service is seen changed.
   */
  readOnce<T>(fn: () => T): T;
}

/** Longest an advance waits for one item to run; then it moves on (nothing may be running work). */
export const ITEM_WAIT_MS = 30_000;
/** Work that keeps making more work due at once must not make an advance spin forever. */
const MAX_ITEMS_PER_ADVANCE = 10_000;

export function createPartnerClocks(p: {
  clocks: ClockStore;
  work: Pick<WorkQueue, 'nextDue' | 'settled' | 'pending'>;
  /** Wall time; tests pass a settable one. */
  wallNow: () => number;
  warn: (message: string) => void;
}): PartnerClocks {
  const { clocks, work, wallNow } = p;
  const readings = new AsyncLocalStorage<Map<string, ClockState>>();
  const read = async (partnerId: string) => {
    const memo = readings.getStore();
    const state = memo?.get(partnerId) ?? (await clocks.get(partnerId));
    memo?.set(partnerId, state);
    return state;
  };
  const change = async (partnerId: string, fn: (state: ClockState) => ClockState) => {
    const state = await clocks.update(partnerId, fn);
    readings.getStore()?.set(partnerId, state);
  };
  return {
    readOnce: (fn) => readings.run(new Map(), fn),
    async now(partnerId) {
      return businessNow(await read(partnerId), wallNow());
    },
    async state(partnerId) {
      const [state, pending] = await Promise.all([clocks.get(partnerId), work.pending(partnerId)]);
      const wall = wallNow();
      return {
        now: businessNow(state, wall).toISOString(),
        offsetMs: leadOverWallMs(state, wall),
        frozen: state.frozenAtMs !== null,
        pending,
      };
    },
    async advance(partnerId, ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`advance needs a non-negative duration, got ${ms}`);
      const start = await clocks.get(partnerId);
      const target = businessNow(start, wallNow()).getTime() + ms;
      // A running clock's lead grows by exactly `ms`: business time keeps flowing while due work
      // runs, rather than losing the wall time the advance itself takes.
      const leadAfter = start.offsetMs + ms;
      for (let i = 0; i < MAX_ITEMS_PER_ADVANCE; i++) {
        const next = await work.nextDue(partnerId, new Date(target));
        if (!next) break;
        await change(partnerId, (state) => movedTo(state, next.dueAt, wallNow()));
        if (!(await work.settled(next, ITEM_WAIT_MS))) {
          p.warn(
            `clock of ${partnerId}: ${next.kind} ${next.id} did not run within ${ITEM_WAIT_MS / 1000} s of falling due (is a worker running?); the advance moves on without it`,
          );
          break;
        }
      }
      await change(partnerId, (state) =>
        state.frozenAtMs !== null
          ? { ...state, frozenAtMs: Math.max(state.frozenAtMs, target) }
          : { ...state, offsetMs: Math.max(state.offsetMs, leadAfter) },
      );
    },
    async freeze(partnerId) {
      await change(partnerId, (state) => frozen(state, wallNow()));
    },
    async resume(partnerId) {
      await change(partnerId, (state) => resumed(state, wallNow()));
    },
    async reset(partnerId) {
      // Going back in time is allowed (wall time is behind an advanced clock); nothing that ran runs again.
      await change(partnerId, () => REAL_TIME);
    },
  };
}
