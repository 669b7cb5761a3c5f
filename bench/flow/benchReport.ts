import type { BenchArgs } from './benchArgs.ts';
import type { Machine } from './machine.ts';
import { type Summary, summarise } from './percentiles.ts';
import { type FlowResult, STEPS, type Step, TIMINGS, type Timing } from './runFlow.ts';

export interface CallbackCounts {
  /** Flows that saw COMPLETED/FAILED but got no callback within the grace period. */
  lost: number;
  /** Deliveries beyond the first for a submission. */
  duplicates: number;
  /** Of those, deliveries that carried a different webhook-id (a second event, not a retry). */
  duplicateEvents: number;
  invalidSignatures: number;
  malformed: number;
  /** Verified callbacks for submissions this run did not create. */
  unknown: number;
}

export interface ServerOutcome {
  crash?: string;
  stderrLines: string[];
  stop?: { code: number | null; signal: string | null; forced: boolean };
}

export interface BenchReport {
  machine: Machine;
  settings: BenchArgs;
  flows: { requested: number; run: number; ok: number; failed: number; abortedByTimeLimit: number };
  warmup: { run: number; failed: number };
  loadSeconds: number;
  flowsPerSecond: number;
  timedOut: boolean;
  token: Summary;
  steps: Record<Timing, Summary>;
  polls: Summary;
  errorsByStep: Record<Step, number>;
  errorSamples: string[];
  callbacks: CallbackCounts;
  server: ServerOutcome;
  failures: string[];
}

const LABELS: Record<Timing, string> = {
  create: 'create submission',
  upload: 'upload (PUT selfie + document)',
  confirm: 'confirm',
  completed: 'time-to-completed (polled)',
  processing: 'processing (server timestamps)',
  callbackDelay: 'callback delay after completion',
  details: 'details',
  total: 'total end-to-end',
};

export function buildReport(input: {
  machine: Machine;
  settings: BenchArgs;
  results: FlowResult[];
  warmup: FlowResult[];
  tokenMs: number[];
  loadSeconds: number;
  timedOut: boolean;
  callbacks: CallbackCounts;
  server: ServerOutcome;
  startupError?: string;
}): BenchReport {
  const { results } = input;
  const ok = results.filter((r) => !r.failedStep);
  const aborted = results.filter((r) => r.aborted).length;
  const steps = Object.fromEntries(
    TIMINGS.map((t) => [
      t,
      summarise(results.map((r) => r.timings[t]).filter((v): v is number => v !== undefined)),
    ]),
  ) as Record<Timing, Summary>;
  const errorsByStep = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  for (const r of [...input.warmup, ...results]) if (r.failedStep && !r.aborted) errorsByStep[r.failedStep]++;
  const failures: string[] = [];
  if (input.startupError) failures.push(`server did not start: ${input.startupError.split('\n')[0]}`);
  if (input.timedOut) failures.push(`time limit of ${input.settings.timeLimitMs / 1000} s reached`);
  if (input.server.crash) failures.push(input.server.crash);
  if (input.callbacks.lost > 0) failures.push(`${input.callbacks.lost} lost callback(s)`);
  if (input.callbacks.invalidSignatures > 0)
    failures.push(`${input.callbacks.invalidSignatures} invalid signature(s)`);
  const errors = results.length - ok.length - aborted;
  if (errors > 0) failures.push(`${errors} flow(s) failed`);
  const warmupFailed = input.warmup.filter((r) => r.failedStep && !r.aborted).length;
  if (warmupFailed > 0) failures.push(`${warmupFailed} warm-up flow(s) failed`);
  if (results.length < input.settings.flows && !input.startupError)
    failures.push(`only ${results.length} of ${input.settings.flows} flows ran`);
  return {
    machine: input.machine,
    settings: input.settings,
    flows: {
      requested: input.settings.flows,
      run: results.length,
      ok: ok.length,
      failed: errors,
      abortedByTimeLimit: aborted,
    },
    warmup: { run: input.warmup.length, failed: warmupFailed },
    loadSeconds: input.loadSeconds,
    flowsPerSecond: input.loadSeconds > 0 ? ok.length / input.loadSeconds : 0,
    timedOut: input.timedOut,
    token: summarise(input.tokenMs),
    steps,
    polls: summarise(results.filter((r) => r.finished).map((r) => r.polls)),
    errorsByStep,
    errorSamples: errorSamples([...input.warmup, ...results]),
    callbacks: input.callbacks,
    server: input.server,
    failures,
  };
}

/** The distinct errors of failed flows (not those cut by a time limit), counted, submission ids masked. */
export function errorSamples(results: FlowResult[], most = 8): string[] {
  const samples = new Map<string, number>();
  for (const r of results) {
    if (!r.failedStep || r.aborted) continue;
    const key = `${r.failedStep}: ${r.error ?? ''}`.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');
    samples.set(key, (samples.get(key) ?? 0) + 1);
  }
  return [...samples].map(([message, n]) => `${n}× ${message}`).slice(0, most);
}

export function renderReport(report: BenchReport): string {
  const { machine: m, settings: s } = report;
  const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
  const row = (label: string, x: Summary) =>
    `  ${label.padEnd(34)}${String(x.n).padStart(6)}${ms(x.p50).padStart(9)}${ms(x.p99).padStart(9)}${ms(x.max).padStart(9)}`;
  const lines = [
    `machine: ${m.cores} cores, ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load average ${m.loadAverage} at start`,
    `run: ${s.flows} flows (after ${s.warmup} warm-up), concurrency ${s.concurrency}, engine ${s.engine}, processing delay ${s.processingDelayMs} ms × ${s.processingConcurrency} jobs, poll wait min(Retry-After, ${s.pollCapMs} ms), callback grace ${s.callbackGraceMs} ms`,
    '',
    `flows: ${report.flows.ok} ok, ${report.flows.failed} failed, ${report.flows.abortedByTimeLimit} cut by the time limit (of ${report.flows.run} run, ${report.flows.requested} requested); warm-up ${report.warmup.run} run, ${report.warmup.failed} failed (checked, not timed)`,
    `throughput: ${report.flowsPerSecond.toFixed(1)} complete flows/s (${report.loadSeconds.toFixed(2)} s under load)`,
    '',
    `  ${'latency (ms)'.padEnd(34)}${'n'.padStart(6)}${'p50'.padStart(9)}${'p99'.padStart(9)}${'max'.padStart(9)}`,
    row('token (fresh, sequential, unloaded)', report.token),
    ...TIMINGS.map((t) => row(LABELS[t], report.steps[t])),
    `  ${'status polls per flow'.padEnd(34)}${String(report.polls.n).padStart(6)}${String(report.polls.p50).padStart(9)}${String(report.polls.p99).padStart(9)}${String(report.polls.max).padStart(9)}`,
    '',
    `errors by step (warm-up included): ${STEPS.map((step) => `${step} ${report.errorsByStep[step]}`).join(', ')}`,
    ...report.errorSamples.map((e) => `  ${e}`),
    `callbacks: lost ${report.callbacks.lost}, duplicates ${report.callbacks.duplicates} (new events ${report.callbacks.duplicateEvents}), invalid signatures ${report.callbacks.invalidSignatures}, malformed ${report.callbacks.malformed}, unknown ${report.callbacks.unknown}`,
    `server: ${report.server.crash ?? 'stayed up'}; ${report.server.stderrLines.length} stderr line(s)${report.server.stop ? `; stopped by SIGTERM → ${report.server.stop.forced ? 'did not exit, SIGKILLed' : `exit code ${report.server.stop.code ?? report.server.stop.signal}`}` : ''}`,
    ...report.server.stderrLines.slice(0, 5).map((l) => `  | ${l.slice(0, 200)}`),
    '',
    report.failures.length ? `FAIL: ${report.failures.join('; ')}` : 'PASS',
  ];
  return `${lines.join('\n')}\n`;
}
