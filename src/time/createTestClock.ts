import type { BusinessClock, ScheduledTask } from './Clock.ts';

export interface TestClockState {
  /** Business time now, ISO 8601. */
  now: string;
  /** How far business time is ahead of wall time, in ms (0 on a clock in real time). */
  offsetMs: number;
  frozen: boolean;
  /** Scheduled work not yet run. */
  pending: number;
}

/** A partner's business clock: real time plus an offset, optionally frozen, with its own timers. */
export interface TestClock extends BusinessClock {
  /** Moves business time forward, running every task that falls due, in order, awaiting each. */
  advance(ms: number): Promise<void>;
  freeze(): void;
  /** Runs on from the frozen instant (keeping any lead over wall time). */
  resume(): void;
  /** Back to wall time, unfrozen; tasks already due run at once. */
  reset(): Promise<void>;
  state(): TestClockState;
  /** Drops every task without running it (shutdown). */
  clear(): void;
  /** Resolves once no task is pending (tests and shutdown wait on it). */
  idle(): Promise<void>;
}

interface Task {
  due: number;
  seq: number;
  run: () => unknown;
  cancelled: boolean;
}

/** Longest a single task may hold an advance; beyond it the advance moves on (the task keeps running). */
const TASK_WAIT_MS = 30_000;
/** A task that keeps rescheduling itself at the same instant must not make an advance spin forever. */
const MAX_TASKS_PER_ADVANCE = 10_000;

/**
 * Modelled on Stripe's test clocks and on fake timers that step through due
 * work: advancing by an hour runs a callback's whole retry schedule, each
 * attempt stamped with the business time it was due at, in milliseconds of
 * wall time.
 */
export function createTestClock(options: { frozen?: boolean; wallNow?: () => number } = {}): TestClock {
  const wallNow = options.wallNow ?? Date.now;
  let offsetMs = 0;
  let frozenAt: number | null = options.frozen ? wallNow() : null;
  let seq = 0;
  const tasks = new Set<Task>();
  let wallTimer: NodeJS.Timeout | undefined;
  let advancing = false;
  let idleWaiters: Array<() => void> = [];
  const settleIdle = () => {
    if (tasks.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const nowMs = () => frozenAt ?? wallNow() + offsetMs;
  const setNow = (ms: number) => {
    if (frozenAt !== null) frozenAt = ms;
    else offsetMs = ms - wallNow();
  };

  const nextDue = (): Task | undefined => {
    let next: Task | undefined;
    for (const task of tasks) {
      if (!next || task.due < next.due || (task.due === next.due && task.seq < next.seq)) next = task;
    }
    return next;
  };

  const runTask = async (task: Task): Promise<void> => {
    tasks.delete(task);
    if (task.cancelled) return settleIdle();
    try {
      await task.run();
    } catch {
      // Tasks record their own failures; one that throws must not stop the clock.
    }
    settleIdle();
  };

  const arm = () => {
    if (wallTimer) clearTimeout(wallTimer);
    wallTimer = undefined;
    if (advancing) return;
    const next = nextDue();
    if (!next) return;
    // A frozen clock still runs what is already due (a callback's first attempt); only the future waits.
    if (frozenAt !== null && next.due > frozenAt) return;
    // setTimeout caps near 24.8 days; a later task is re-armed when that fires.
    const wait = Math.min(Math.max(0, next.due - nowMs()), 2 ** 31 - 1);
    wallTimer = setTimeout(fireDue, wait);
    wallTimer.unref();
  };

  const fireDue = () => {
    wallTimer = undefined;
    const due = [...tasks].filter((t) => t.due <= nowMs()).sort((a, b) => a.due - b.due || a.seq - b.seq);
    for (const task of due) void runTask(task);
    arm();
  };

  const clock: TestClock = {
    now: () => new Date(nowMs()),
    at(due, run) {
      const task: Task = { due: due.getTime(), seq: seq++, run, cancelled: false };
      tasks.add(task);
      arm();
      const handle: ScheduledTask = {
        due: new Date(task.due),
        cancel() {
          task.cancelled = true;
          tasks.delete(task);
          arm();
          settleIdle();
        },
      };
      return handle;
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`advance needs a non-negative duration, got ${ms}`);
      // A running clock's lead over wall time grows by exactly `ms`: business time keeps flowing
      // while due work runs, rather than losing the wall time the advance itself takes.
      const leadAfter = offsetMs + ms;
      const target = nowMs() + ms;
      advancing = true;
      arm();
      try {
        for (let i = 0; i < MAX_TASKS_PER_ADVANCE; i++) {
          const next = nextDue();
          if (!next || next.due > target) break;
          if (next.due > nowMs()) setNow(next.due);
          await Promise.race([
            runTask(next),
            new Promise((resolve) => setTimeout(resolve, TASK_WAIT_MS).unref()),
          ]);
        }
        if (frozenAt !== null) frozenAt = Math.max(frozenAt, target);
        else offsetMs = Math.max(offsetMs, leadAfter);
      } finally {
        advancing = false;
        arm();
      }
    },
    freeze() {
      frozenAt = nowMs();
      arm();
    },
    resume() {
      if (frozenAt === null) return;
      offsetMs = frozenAt - wallNow();
      frozenAt = null;
      arm();
    },
    async reset() {
      // Going back in time is allowed (wall time is behind an advanced clock); nothing that ran runs again.
      frozenAt = null;
      offsetMs = 0;
      fireDue();
    },
    state: () => ({
      now: new Date(nowMs()).toISOString(),
      offsetMs: frozenAt === null ? offsetMs : frozenAt - wallNow(),
      frozen: frozenAt !== null,
      pending: tasks.size,
    }),
    clear() {
      for (const task of tasks) task.cancelled = true;
      tasks.clear();
      arm();
      settleIdle();
    },
    idle() {
      if (tasks.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
  return clock;
}
