import { AsyncResource } from 'node:async_hooks';
import { type ClockState, wallTimeOf } from '../../domain/clockState.ts';
import type { WorkHandlers, WorkItem, WorkKind, WorkQueue } from '../SandboxStore.ts';

/** A handler that threw could not record its result (storage): it is tried again after this. */
const RETRY_FAILED_AFTER_MS = 5000;
/** A handler that returned with its item unchanged found nothing to do yet; it is asked again no sooner. */
const RECHECK_AFTER_MS = 1000;
/** setTimeout's ceiling (about 24.8 days); a later item is re-armed when that fires. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The in-process stores' work queue: the items the state says are pending, each on a wall-clock
 * timer at the instant its partner's business clock reaches its due time. The store tells it of
 * every change (`set`) and of clock changes (`rearm`), so it never reads the state itself.
 */
export interface WorkScheduler extends WorkQueue {
  /** The item now pending under this key (kind:id), or none: called by the store after each commit. */
  set(key: string, item: WorkItem | undefined): void;
  /** The partner's clock moved: every item of it is due at another wall time. */
  rearm(partnerId: string): void;
}

interface Entry {
  item: WorkItem;
  timer?: NodeJS.Timeout;
  settledWaiters: Array<() => void>;
}

export function workKey(kind: WorkKind, id: string): string {
  return `${kind}:${id}`;
}

export function createWorkScheduler(p: {
  clockOf: (partnerId: string) => ClockState;
  wallNow: () => number;
}): WorkScheduler {
  // Timers and handlers run in the context the scheduler was made in, never in that of the request
  // whose step armed them: a request's context may carry what held only for it (its clock readings).
  const detached = AsyncResource.bind(<T>(fn: () => T): T => fn());
  const entries = new Map<string, Entry>();
  const byPartner = new Map<string, Set<string>>();
  const running = new Map<string, Promise<void>>();
  const runningOf: Record<WorkKind, number> = { process: 0, deliver: 0 };
  const ready: Record<WorkKind, string[]> = { process: [], deliver: [] };
  let handlers: WorkHandlers | undefined;
  let limits: Record<WorkKind, number> = { process: 1, deliver: 1 };
  let phase: 'waiting' | 'running' | 'draining' | 'drained' | 'stopped' = 'waiting';
  const shutdown = new AbortController();
  let quietWaiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  let drained: Promise<void> | undefined;
  /** While draining: the wall time up to which scoring that falls due is still run. */
  let drainUntil = 0;

  const settleQuiet = () => {
    if (quietWaiters.length === 0) return;
    const still: typeof quietWaiters = [];
    for (const waiter of quietWaiters) (waiter.done() ? waiter.resolve : () => still.push(waiter))();
    quietWaiters = still;
  };
  const whenQuiet = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      quietWaiters.push({ done, resolve });
      settleQuiet();
    });

  const wallDueOf = (item: WorkItem) => wallTimeOf(item.dueAt, p.clockOf(item.partnerId), p.wallNow());

  const disarm = (entry: Entry) => {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
  };

  function arm(key: string, minimumDelayMs = 0) {
    const entry = entries.get(key);
    if (!entry) return;
    disarm(entry);
    if (phase !== 'running' && phase !== 'draining') return;
    const wall = wallDueOf(entry.item);
    if (wall === null) return; // A frozen clock that has not reached it: a clock change re-arms it.
    const delay = Math.max(wall - p.wallNow(), minimumDelayMs);
    // While draining, scoring that falls due within the drain time still runs; anything else due
    // later (a callback retry) is left in the store, for the next start.
    if (phase === 'draining' && delay > 0 && (entry.item.kind !== 'process' || wall > drainUntil)) {
      return settleQuiet();
    }
    if (delay <= 0) return markReady(key);
    entry.timer = detached(() =>
      setTimeout(
        () => {
          entry.timer = undefined;
          arm(key);
        },
        Math.min(delay, LONGEST_TIMER_MS),
      ),
    );
    // A pending timer must not keep a stopping process (or a test run) alive: the state keeps the
    // work. While draining it must: the drain is waiting for it, and nothing else may hold the process.
    if (phase !== 'draining') entry.timer.unref();
  }

  function markReady(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    const queue = ready[entry.item.kind];
    if (!queue.includes(key)) queue.push(key);
    pump();
  }

  function pump() {
    if (!handlers || (phase !== 'running' && phase !== 'draining')) return;
    for (const kind of ['process', 'deliver'] as const) {
      const queue = ready[kind];
      let i = 0;
      while (runningOf[kind] < limits[kind] && i < queue.length) {
        const key = queue[i] as string;
        // The same item never runs twice at once; it is looked at again when its run ends.
        if (running.has(key)) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        const entry = entries.get(key);
        if (entry) start(key, entry.item);
      }
    }
    settleQuiet();
  }

  function start(key: string, item: WorkItem) {
    const handler = (handlers as WorkHandlers)[item.kind];
    runningOf[item.kind]++;
    let failed = false;
    const run = detached(() => handler(item.id, shutdown.signal))
      .catch(() => {
        failed = true;
      })
      .finally(() => {
        running.delete(key);
        runningOf[item.kind]--;
        const entry = entries.get(key);
        if (entry && phase !== 'stopped') {
          const unchanged = entry.item.revision === item.revision;
          if (failed) arm(key, RETRY_FAILED_AFTER_MS);
          else if (unchanged) arm(key, RECHECK_AFTER_MS);
          else arm(key);
        }
        pump();
      });
    running.set(key, run);
  }

  function forget(key: string, entry: Entry) {
    disarm(entry);
    entries.delete(key);
    const keys = byPartner.get(entry.item.partnerId);
    keys?.delete(key);
    if (keys?.size === 0) byPartner.delete(entry.item.partnerId);
    for (const resolve of entry.settledWaiters.splice(0)) resolve();
  }

  return {
    set(key, item) {
      const entry = entries.get(key);
      if (!item) {
        if (entry) forget(key, entry);
        return settleQuiet();
      }
      if (
        entry &&
        entry.item.revision === item.revision &&
        entry.item.dueAt.getTime() === item.dueAt.getTime()
      )
        return;
      if (entry) forget(key, entry);
      entries.set(key, { item, settledWaiters: [] });
      const keys = byPartner.get(item.partnerId) ?? new Set<string>();
      byPartner.set(item.partnerId, keys);
      keys.add(key);
      arm(key);
      settleQuiet();
    },

    rearm(partnerId) {
      for (const key of byPartner.get(partnerId) ?? []) arm(key);
    },

    async start(workHandlers, options) {
      if (phase === 'stopped') return;
      handlers = workHandlers;
      limits = { process: options.processConcurrency, deliver: options.deliverConcurrency };
      phase = 'running';
      for (const key of entries.keys()) arm(key);
    },

    async nextDue(partnerId, upTo) {
      let next: WorkItem | undefined;
      for (const key of byPartner.get(partnerId) ?? []) {
        const item = entries.get(key)?.item;
        if (!item || item.dueAt.getTime() > upTo.getTime()) continue;
        if (!next || item.dueAt.getTime() < next.dueAt.getTime()) next = item;
      }
      return next;
    },

    async pending(partnerId) {
      return byPartner.get(partnerId)?.size ?? 0;
    },

    settled(item, timeoutMs) {
      const entry = entries.get(workKey(item.kind, item.id));
      if (!entry || entry.item.revision !== item.revision) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
        entry.settledWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },

    drain(until) {
      if (phase === 'running') {
        drainUntil = until?.getTime() ?? p.wallNow();
        phase = 'draining';
        for (const key of entries.keys()) arm(key);
      }
      // Work due now was marked ready by arm() above (or when a running handler created it). Once
      // quiet, nothing more starts here: a clock change afterwards leaves its work in the store.
      drained ??= whenQuiet(() => {
        const quiet =
          running.size === 0 &&
          ready.process.length === 0 &&
          ready.deliver.length === 0 &&
          // Scoring armed to fall due within the drain time is still to come.
          ![...entries.values()].some((entry) => entry.timer !== undefined && entry.item.kind === 'process');
        if (quiet && phase === 'draining') phase = 'drained';
        return quiet;
      });
      return drained;
    },

    async stop() {
      phase = 'stopped';
      shutdown.abort();
      for (const entry of entries.values()) disarm(entry);
      ready.process.length = 0;
      ready.deliver.length = 0;
      await Promise.allSettled([...running.values()]);
      settleQuiet();
    },

    idle() {
      return whenQuiet(() => running.size === 0 && (entries.size === 0 || phase === 'stopped'));
    },
  };
}
