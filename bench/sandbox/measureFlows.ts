import { setTimeout as delay } from 'node:timers/promises';
import { errorSamples } from '../flow/benchReport.ts';
import type { CallbackReceiver } from '../flow/callbackReceiver.ts';
import { type Summary, summarise } from '../flow/percentiles.ts';
import { machineBusySeconds, processCpuSeconds } from '../flow/processCpu.ts';
import type { FlowResult } from '../flow/runFlow.ts';
import { runFlows } from '../flow/runFlows.ts';
import { backendCpuBetween, type DatabaseSample } from './benchDatabases.ts';
import type { Flow } from './sandboxFlows.ts';
import type { Role, Sandbox } from './startSandbox.ts';
import { type SteadyLoad, startSteadyLoad } from './steadyLoad.ts';

/** Everything read at one end of the measured window. */
interface Sample {
  at: number;
  /** Flows finished (passed or failed) when the sample was taken. */
  done: number;
  /** CPU seconds of each instance, in the sandbox's order. */
  serverCpu: Array<number | undefined>;
  benchCpu: number;
  /** CPU seconds of the whole machine, everyone's. */
  machineCpu: number | undefined;
  database?: DatabaseSample;
}

export interface FlowFigures {
  concurrency: number;
  /** Flows that finished in the window, and those run in all (warm-up apart). */
  flows: { inWindow: number; passed: number; failed: number; cut: number; run: number };
  warmup: { run: number; failed: number };
  errorSamples: string[];
  window: { seconds: number };
  flowsPerSecond: number;
  /** Create sent → details read, callback wait included, of the flows that passed in the window. */
  flowMs: Summary;
  /** Confirmed → completed by the server's timestamps: queueing for a scoring slot, then scoring. */
  processingMs: Summary;
  /** Latency of the flows' own status polls in the window. */
  pollMs: Summary;
  pollsPerFlow: number;
  /** CPU ms (user + system, every thread) per flow finished in the window. */
  cpuPerFlowMs: {
    servers: number;
    byRole: Partial<Record<Role, number>>;
    /** The backends of the bench's database (PostgreSQL's shared processes not included). */
    database?: number;
    /** The bench itself: the partners' side and the callback receiver, on the same cores. */
    bench: number;
  };
  /**
   * CPU seconds per second of the window: how many cores each side kept busy, and the rest of the
   * machine (other people's work, and PostgreSQL's shared processes).
   */
  coresBusy: { servers: number; database?: number; bench: number; others?: number };
  /** Connections to PostgreSQL at the window's end: the bench database's, all, the server's limit. */
  connections?: { ours: number; all: number; max: number };
  callbacks: { lost: number; duplicates: number; invalidSignatures: number };
}

/**
 * Warm-up flows (checked, not counted), then a steady load of `concurrency` flows in flight; once
 * a whole wave has finished, the instances' CPU, the database's backends' CPU and the
 * bench's own CPU are read, and again `seconds` later. Per-flow figures are over that window and
 * the flows that finished in it: what is in flight at its two ends is alike and cancels. `during`
 * runs next, under the same load (the poll probe), before the load stops.
 */
export async function measureFlows<T>(input: {
  sandbox: Sandbox;
  flow: Flow;
  receiver: CallbackReceiver;
  seconds: number;
  warmup: number;
  concurrency: number;
  signal: AbortSignal;
  sampleDatabase?: () => Promise<DatabaseSample>;
  during?: (load: SteadyLoad) => Promise<T>;
}): Promise<{ figures: FlowFigures; during?: T }> {
  const { sandbox, concurrency, signal } = input;
  let warm: FlowResult[] = [];
  if (input.warmup > 0) {
    process.stderr.write(`    warm-up: ${input.warmup} flows\n`);
    warm = await runFlows(input.warmup, concurrency, signal, input.flow, () => {});
  }
  const take = async (done: number): Promise<Sample> => {
    const at = performance.now();
    const serverCpu = sandbox.instances.map((i) => processCpuSeconds(i.child.pid));
    const used = process.cpuUsage();
    const machineCpu = machineBusySeconds();
    const database = await input.sampleDatabase?.().catch(() => undefined);
    return {
      at,
      done,
      serverCpu,
      benchCpu: (used.user + used.system) / 1e6,
      machineCpu,
      ...(database ? { database } : {}),
    };
  };
  const load = startSteadyLoad(input.flow, concurrency, input.warmup, signal);
  let first: Sample | undefined;
  let last: Sample | undefined;
  let during: T | undefined;
  try {
    await load.rampedUp;
    first = await take(load.results.length);
    process.stderr.write(`    measuring for ${input.seconds} s, ${concurrency} flows in flight\n`);
    await delay(input.seconds * 1000, undefined, { signal }).catch(() => undefined);
    // A window cut short (time limit, Ctrl-C, a crash) is not a steady one: no per-flow figures.
    last = signal.aborted ? undefined : await take(load.results.length);
    if (last) {
      process.stderr.write(
        `    ${last.done - first.done} flows in ${((last.at - first.at) / 1000).toFixed(1)} s\n`,
      );
    }
    if (input.during && !signal.aborted) during = await input.during(load);
  } finally {
    await load.stop();
  }
  const figures = figuresOf({ ...input, warm, results: load.results, first, last });
  return { figures, ...(during !== undefined ? { during } : {}) };
}

function figuresOf(input: {
  sandbox: Sandbox;
  receiver: CallbackReceiver;
  concurrency: number;
  warm: FlowResult[];
  results: FlowResult[];
  first: Sample | undefined;
  last: Sample | undefined;
}): FlowFigures {
  const { results, first, last, sandbox } = input;
  const window = first && last ? results.slice(first.done, last.done) : [];
  const passed = window.filter((r) => !r.failedStep);
  const cut = results.filter((r) => r.failedStep && r.aborted).length;
  const seconds = first && last ? (last.at - first.at) / 1000 : 0;
  const perFlow = (cpuSeconds: number) =>
    window.length > 0 ? (cpuSeconds * 1000) / window.length : Number.NaN;
  const perSecond = (cpuSeconds: number) => (seconds > 0 ? cpuSeconds / seconds : Number.NaN);
  const cpuOf = (index: number) => {
    const a = first?.serverCpu[index];
    const b = last?.serverCpu[index];
    return a !== undefined && b !== undefined ? b - a : Number.NaN;
  };
  const byRole: Partial<Record<Role, number>> = {};
  sandbox.instances.forEach((instance, index) => {
    byRole[instance.role] = (byRole[instance.role] ?? 0) + cpuOf(index);
  });
  const servers = sandbox.instances.reduce((sum, _, index) => sum + cpuOf(index), 0);
  const bench = first && last ? last.benchCpu - first.benchCpu : Number.NaN;
  const a = first?.database;
  const b = last?.database;
  const database = a && b ? backendCpuBetween(a, b) : undefined;
  const machine =
    first?.machineCpu !== undefined && last?.machineCpu !== undefined
      ? last.machineCpu - first.machineCpu
      : undefined;
  const ours = new Set(results.map((r) => r.correlationId).filter(Boolean));
  let duplicates = 0;
  for (const [id, arrivals] of input.receiver.arrivals) if (ours.has(id)) duplicates += arrivals.length - 1;
  const timing = (name: 'total' | 'processing') =>
    summarise(passed.map((r) => r.timings[name]).filter((v): v is number => v !== undefined));
  return {
    concurrency: input.concurrency,
    flows: {
      inWindow: window.length,
      passed: results.filter((r) => !r.failedStep).length,
      failed: results.filter((r) => r.failedStep && !r.aborted).length,
      cut,
      run: results.length,
    },
    warmup: { run: input.warm.length, failed: input.warm.filter((r) => r.failedStep && !r.aborted).length },
    errorSamples: errorSamples([...input.warm, ...results], 6),
    window: { seconds },
    flowsPerSecond: seconds > 0 ? window.length / seconds : 0,
    flowMs: timing('total'),
    processingMs: timing('processing'),
    pollMs: summarise(window.flatMap((r) => r.pollMs)),
    pollsPerFlow: passed.length ? passed.reduce((sum, r) => sum + r.polls, 0) / passed.length : Number.NaN,
    cpuPerFlowMs: {
      servers: perFlow(servers),
      byRole: Object.fromEntries(Object.entries(byRole).map(([role, cpu]) => [role, perFlow(cpu)])),
      ...(database !== undefined ? { database: perFlow(database) } : {}),
      bench: perFlow(bench),
    },
    coresBusy: {
      servers: perSecond(servers),
      ...(database !== undefined ? { database: perSecond(database) } : {}),
      bench: perSecond(bench),
      // Read a few ms apart, the machine's and the processes' counters can differ by a tick or two.
      ...(machine !== undefined
        ? { others: Math.max(0, perSecond(machine - servers - (database ?? 0) - bench)) }
        : {}),
    },
    ...(b ? { connections: b.connections } : {}),
    callbacks: {
      lost: results.filter((r) => r.callbackLost).length,
      duplicates,
      invalidSignatures: input.receiver.invalidSignatures,
    },
  };
}
