import type { Machine } from '../flow/machine.ts';
import type { FlowFigures } from './measureFlows.ts';
import type { PollFigures } from './probeStatusPolls.ts';
import type { RoundTripFigures } from './roundTripCensus.ts';
import type { Phase, SandboxArgs } from './sandboxArgs.ts';
import type { StopOutcome, Topology } from './startSandbox.ts';

export interface SetupReport {
  phase: Phase;
  topology: Topology;
  /** 1-minute load average when the set-up started. */
  loadAtStart: number;
  flows?: FlowFigures;
  polls?: PollFigures;
  roundTrips?: RoundTripFigures;
  servers: StopOutcome[];
  failure?: string;
  skipped?: string;
  /** PostgreSQL's connections in use (by anyone) when the set-up started, and its limit. */
  connectionsAtStart?: { inUse: number; max: number };
}

/**
 * Capacity on paper from CPU per flow: flows/s ≈ usable cores ÷ CPU ms per flow, with PostgreSQL
 * bounding it where it has a machine of its own.
 */
export interface OnPaper {
  engine: Topology['engine'];
  from: string;
  /** Share of each machine's cores taken as usable (headroom, the OS, PostgreSQL's own processes). */
  usable: number;
  serverMsPerFlow: number;
  databaseMsPerFlow: number;
  /** One 16-core machine running the instances and PostgreSQL. */
  oneMachine16: number;
  /** Three 16-core machines of instances, PostgreSQL on one of them. */
  threeMachines16: number;
  /** What PostgreSQL's 16 cores alone would carry: the bound as instances are added. */
  databaseBound16: number;
  /**
   * This machine's cores, wholly ours, the bench's CPU included: a check of the arithmetic
   * against the flows/s measured (which other work on the machine and the concurrency hold lower).
   */
  thisMachine: { cores: number; benchMsPerFlow: number; flowsPerSecond: number; measured: number };
}

export interface SandboxReport {
  machine: Machine;
  settings: SandboxArgs;
  /** What the servers ran: compiled dist/, or the sources through tsx (slower; `npm run build`). */
  build: string;
  /** The images of the onnx flows. */
  onnxImages: string;
  setups: SetupReport[];
  /** PostgreSQL ÷ memory, one process each. */
  durability?: { flowsPerSecond: number; cpuPerFlow: number };
  /** From every PostgreSQL set-up measured. */
  onPaper: OnPaper[];
  stoppedBy?: string;
  failures: string[];
}

const USABLE = 0.8;

export function buildSandboxReport(input: {
  machine: Machine;
  settings: SandboxArgs;
  setups: SetupReport[];
  onnxImages: string;
  stoppedBy: string | undefined;
}): SandboxReport {
  const { setups } = input;
  const failures: string[] = [];
  if (input.stoppedBy) failures.push(`stopped early: ${input.stoppedBy}`);
  for (const s of setups) {
    const name = `${s.phase} ${s.topology.label}`;
    if (s.failure) failures.push(`${name}: ${s.failure.split('\n')[0]}`);
    const starved = [
      s.failure ?? '',
      ...(s.flows?.errorSamples ?? []),
      ...s.servers.flatMap((x) => x.stderrLines),
    ].some((line) => line.includes('too many clients'));
    if (starved)
      failures.push(
        `${name}: PostgreSQL ran out of connections (${s.connectionsAtStart?.inUse ?? '?'} of ${s.connectionsAtStart?.max ?? '?'} in use when the set-up started): run when other work has let go of them, or lower --database-pool-size`,
      );
    const f = s.flows;
    if (f?.flows.failed) failures.push(`${name}: ${f.flows.failed} flow(s) failed`);
    if (f?.warmup.failed) failures.push(`${name}: ${f.warmup.failed} warm-up flow(s) failed`);
    if (f?.callbacks.lost) failures.push(`${name}: ${f.callbacks.lost} lost callback(s)`);
    if (f?.callbacks.invalidSignatures)
      failures.push(`${name}: ${f.callbacks.invalidSignatures} invalid signature(s)`);
    if (s.polls?.errors) failures.push(`${name}: ${s.polls.errors} status poll(s) failed`);
    if (s.roundTrips?.failed) failures.push(`${name}: ${s.roundTrips.failed} census flow(s) failed`);
    for (const server of s.servers) {
      if (server.crash) failures.push(`${name}: ${server.role} instance ${server.crash}`);
      else if (server.forced)
        failures.push(`${name}: a ${server.role} instance ignored SIGTERM and was killed`);
    }
  }
  const memory = find(setups, 'store', 'memory')?.flows;
  const postgres = find(setups, 'store', 'postgres')?.flows;
  const durability =
    memory?.window.seconds && postgres?.window.seconds
      ? {
          flowsPerSecond: postgres.flowsPerSecond / memory.flowsPerSecond,
          cpuPerFlow:
            (postgres.cpuPerFlowMs.servers + (postgres.cpuPerFlowMs.database ?? 0)) /
            memory.cpuPerFlowMs.servers,
        }
      : undefined;
  // Every PostgreSQL set-up measured: the spread between them (one process, more api instances,
  // the extra polls of slower flows) is part of the answer.
  const onPaper = setups.flatMap((basis) => {
    const estimate = basis.flows && paper(basis, basis.flows, input.machine.cores);
    return estimate ? [estimate] : [];
  });
  const fromSources = setups.some((s) =>
    s.servers.some((x) => x.stderrLines.some((l) => l.includes('TypeScript sources through tsx'))),
  );
  return {
    machine: input.machine,
    // A password in the URL must not end up in a report someone pastes.
    settings: { ...input.settings, postgresUrl: input.settings.postgresUrl.replace(/:[^:@/]*@/, ':***@') },
    build: fromSources
      ? 'the sources through tsx (dist/ stale or absent: `npm run build`)'
      : 'compiled dist/',
    onnxImages: input.onnxImages,
    setups,
    ...(durability ? { durability } : {}),
    onPaper,
    ...(input.stoppedBy ? { stoppedBy: input.stoppedBy } : {}),
    failures,
  };
}

function find(setups: SetupReport[], phase: Phase, store: Topology['store']): SetupReport | undefined {
  return setups.find((s) => s.phase === phase && s.topology.store === store && s.flows);
}

function paper(setup: SetupReport, flows: FlowFigures, cores: number): OnPaper | undefined {
  const s = flows.cpuPerFlowMs.servers;
  const p = flows.cpuPerFlowMs.database;
  if (p === undefined || !Number.isFinite(s) || !Number.isFinite(p) || s <= 0 || p <= 0) return undefined;
  const perSecond = (cores: number, ms: number) => (cores * USABLE * 1000) / ms;
  return {
    engine: setup.topology.engine,
    from: `${setup.topology.label} (${setup.phase})`,
    usable: USABLE,
    serverMsPerFlow: s,
    databaseMsPerFlow: p,
    oneMachine16: perSecond(16, s + p),
    threeMachines16: Math.min(perSecond(48, s + p), perSecond(16, p)),
    databaseBound16: perSecond(16, p),
    thisMachine: {
      cores,
      benchMsPerFlow: flows.cpuPerFlowMs.bench,
      flowsPerSecond: (cores * 1000) / (s + p + flows.cpuPerFlowMs.bench),
      measured: flows.flowsPerSecond,
    },
  };
}

const fixed = (v: number | undefined, digits = 1) =>
  v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
const pad = (text: string, width: number) => text.padStart(width);
const why = (s: SetupReport) => s.skipped ?? s.failure?.split('\n')[0] ?? 'no figures';

function flowTable(setups: SetupReport[], split: boolean): string[] {
  const header =
    `  ${'set-up'.padEnd(20)}${pad('load', 6)}${pad('flows', 7)}${pad('flows/s', 9)}${pad('flow p50/p99 ms', 17)}` +
    `${pad('CPU ms per flow: servers', 26)}${split ? pad('(api + worker)', 16) : ''}${pad('PG', 6)}${pad('bench', 7)}`;
  const rows = setups.map((s) => {
    const f = s.flows;
    if (!f?.window.seconds)
      return `  ${s.topology.label.padEnd(20)}${pad(String(s.loadAtStart), 6)}  ${f ? 'cut short before its window ended: no figures' : why(s)}`;
    const c = f.cpuPerFlowMs;
    const roles = `(${fixed(c.byRole.api)} + ${fixed(c.byRole.worker)})`;
    return (
      `  ${s.topology.label.padEnd(20)}${pad(String(s.loadAtStart), 6)}${pad(String(f.flows.inWindow), 7)}${pad(fixed(f.flowsPerSecond), 9)}` +
      `${pad(`${fixed(f.flowMs.p50, 0)} / ${fixed(f.flowMs.p99, 0)}`, 17)}${pad(fixed(c.servers), 26)}${split ? pad(roles, 16) : ''}` +
      `${pad(fixed(c.database), 6)}${pad(fixed(c.bench), 7)}`
    );
  });
  const notes = setups.flatMap((s) => {
    const f = s.flows;
    if (!f) return [];
    const busy = f.coresBusy;
    const total = busy.servers + (busy.database ?? 0) + busy.bench;
    const pg = f.connections
      ? `; PostgreSQL connections: ${f.connections.ours} to the bench database, ${f.connections.all} in all (${s.connectionsAtStart?.inUse ?? '?'} as the set-up started), limit ${f.connections.max}`
      : '';
    return [
      `    ${s.topology.label}: ${fixed(f.window.seconds)} s, ${f.concurrency} in flight; processing p50/p99 ${fixed(f.processingMs.p50, 0)} / ${fixed(f.processingMs.p99, 0)} ms; ${fixed(f.pollsPerFlow, 2)} polls per flow; cores busy ${fixed(total, 2)} (servers ${fixed(busy.servers, 2)}, PG ${fixed(busy.database, 2)}, bench ${fixed(busy.bench, 2)}), the rest of the machine ${fixed(busy.others, 2)}${pg}`,
      `      flows run ${f.flows.run} (${f.flows.passed} passed, ${f.flows.failed} failed, ${f.flows.cut} cut short), warm-up ${f.warmup.run} (${f.warmup.failed} failed); callbacks lost ${f.callbacks.lost}, duplicates ${f.callbacks.duplicates}, invalid signatures ${f.callbacks.invalidSignatures}`,
      ...f.errorSamples.map((e) => `      ${e.split('\n')[0]?.slice(0, 220)}`),
    ];
  });
  return [header, ...rows, ...notes];
}

export function renderSandboxReport(report: SandboxReport): string {
  const { machine: m, settings: a, setups } = report;
  const of = (phase: Phase) => setups.filter((s) => s.phase === phase);
  const lines = [
    `machine: ${m.cores} cores, ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load average ${m.loadAverage} at start`,
    `run: fixture engine ${a.seconds} s per set-up (after ${a.warmup} warm-up flows), ${a.concurrency} flows in flight; onnx ${a.onnxSeconds} s (after ${a.onnxWarmup}), ${a.onnxConcurrency} in flight, ${a.onnxThreads} inference thread(s) per worker process`,
    `  status polls wait min(Retry-After, ${a.pollCapMs} ms); processing delay 0, processing.concurrency ${a.processingConcurrency} (fixture; onnx auto); database pool ${a.databasePoolSize ?? 'server default'}; each request ≤ ${a.requestTimeoutMs} ms; servers ran ${report.build}`,
    'figures: over a window of steady load (after a whole wave of flows has finished), per flow that finished in it; flows = that count; flow = create → details, callback included;',
    '  CPU = user + system of every thread (/proc); PG = backends of the bench database (pg_stat_activity); bench = this process (partners + receiver)',
  ];
  if (of('store').length) {
    lines.push(
      '',
      '1. fixture engine, one process (--role all): memory against PostgreSQL',
      ...flowTable(of('store'), false),
    );
    if (report.durability)
      lines.push(
        `  PostgreSQL ÷ memory: flows/s ×${fixed(report.durability.flowsPerSecond, 2)}; CPU per flow (servers + PG backends) ×${fixed(report.durability.cpuPerFlow, 2)}`,
      );
  }
  if (of('apis').length)
    lines.push(
      '',
      '2. fixture engine, PostgreSQL: api instances + 1 worker, each request to the next api instance',
      ...flowTable(of('apis'), true),
    );
  if (of('onnx').length)
    lines.push(
      '',
      `3. onnx engine, PostgreSQL: 1 api + workers (${a.onnxThreads} inference thread(s) each); images: ${report.onnxImages}`,
      ...flowTable(of('onnx'), true),
    );
  const probed = setups.filter((s) => s.polls);
  if (probed.length) {
    lines.push(
      '',
      `4. status polls under load: ${a.pollers} closed-loop pollers on one instance for ${a.pollSeconds} s while flows run`,
      `  ${'set-up'.padEnd(20)}${pad('s', 6)}${pad('polls/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('max ms', 8)}${pad('errors', 8)}${pad('meanwhile flows/s', 19)}${pad('in flight', 11)}   the flows' own polls p50 / p99 ms`,
    );
    for (const s of probed) {
      const p = s.polls as PollFigures;
      lines.push(
        `  ${s.topology.label.padEnd(20)}${pad(fixed(p.seconds), 6)}${pad(fixed(p.pollsPerSecond, 0), 9)}${pad(fixed(p.latencyMs.p50), 8)}${pad(fixed(p.latencyMs.p99), 8)}${pad(fixed(p.latencyMs.max), 8)}${pad(String(p.errors), 8)}${pad(fixed(p.loadFlowsPerSecond), 19)}${pad(String(s.flows?.concurrency ?? '-'), 11)}   ${fixed(s.flows?.pollMs.p50)} / ${fixed(s.flows?.pollMs.p99)}`,
        ...p.errorSamples.map((e) => `      ${e}`),
      );
    }
  }
  const census = of('round-trips');
  if (census.length) {
    lines.push(
      '',
      `5. round trips to PostgreSQL per flow, counted on the wire (a relay counts Sync and Query messages) in a pass of its own, ${a.censusSeconds} s of the same load`,
      `  ${'set-up'.padEnd(26)}${pad('flows', 6)}${pad('in flight', 10)}${pad('per flow', 10)}${pad('idle/s', 8)}${pad('net of idle', 13)}`,
    );
    for (const s of census) {
      const r = s.roundTrips;
      lines.push(
        r
          ? `  ${s.topology.label.padEnd(26)}${pad(String(r.flows), 6)}${pad(String(r.concurrency), 10)}${pad(fixed(r.perFlow), 10)}${pad(fixed(r.idlePerSecond), 8)}${pad(fixed(r.perFlowNetOfIdle), 13)}`
          : `  ${s.topology.label.padEnd(26)}${why(s)}`,
      );
    }
    const first = census.find((s) => s.roundTrips?.topStatements.length);
    if (first?.roundTrips) {
      lines.push(`  the statements sent most, per flow (${first.topology.label}):`);
      for (const { perFlow, text } of first.roundTrips.topStatements)
        lines.push(`  ${pad(fixed(perFlow, 2), 8)}  ${text}`);
    }
  }
  if (report.onPaper.length) {
    lines.push(
      '',
      `on paper: flows/s ≈ ${USABLE} × cores × 1000 ÷ CPU ms per flow (instances + PostgreSQL's backends); with PostgreSQL on one of three machines, at most ${USABLE} × 16 × 1000 ÷ its ms per flow`,
      `  ${'from'.padEnd(36)}${pad('instances', 10)}${pad('PG', 7)}${pad('one 16-core', 13)}${pad('three 16-core', 15)}${pad('(PG bound)', 12)}   check: this machine computed / measured`,
      ...report.onPaper.map(
        (p) =>
          `  ${`${p.engine}, ${p.from}`.padEnd(36)}${pad(fixed(p.serverMsPerFlow), 10)}${pad(fixed(p.databaseMsPerFlow), 7)}${pad(fixed(p.oneMachine16, 0), 13)}${pad(fixed(p.threeMachines16, 0), 15)}${pad(fixed(p.databaseBound16, 0), 12)}   ${fixed(p.thisMachine.flowsPerSecond)} / ${fixed(p.thisMachine.measured)}`,
      ),
      `  check: this machine's ${report.machine.cores} cores, all ours, the bench's CPU per flow included, beside the flows/s measured (other work and the flows in flight hold it lower)`,
    );
  }
  if (report.onPaper.length)
    lines.push(
      "  (PostgreSQL's shared processes, the load balancer, the network between machines and connection limits left out: see bench/sandbox/README.md)",
    );
  const noisy = setups.filter((s) => s.servers.some((x) => x.stderrLines.length));
  for (const s of noisy) {
    for (const server of s.servers.filter((x) => x.stderrLines.length)) {
      lines.push(
        `server stderr (${s.phase} ${s.topology.label}, ${server.role}): ${server.stderrLines.length} line(s)${server.crash ? ', the last ones' : ''}`,
      );
      // A crash is explained by what it wrote last; anything else by what it wrote first.
      const shown = server.crash ? server.stderrLines.slice(-8) : server.stderrLines.slice(0, 3);
      lines.push(...shown.map((l) => `  | ${l.slice(0, 200)}`));
    }
  }
  lines.push('', report.failures.length ? `FAIL: ${report.failures.join('; ')}` : 'PASS');
  return `${lines.join('\n')}\n`;
}
