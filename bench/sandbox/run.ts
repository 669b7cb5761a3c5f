/**
 * The shared sandbox under load (issue 14, item 10): flows/s, CPU and PostgreSQL round trips per
 * flow of `facematch-mock serve` processes over memory and over PostgreSQL, as one process and as
 * api and worker instances, with the fixture and the onnx engine; status-poll latency under load.
 *
 *   npm run bench:sandbox -- --help
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PARTNERS } from '../flow/benchConfig.ts';
import { benchMain, startRunLimit } from '../flow/benchMain.ts';
import { startCallbackReceiver } from '../flow/callbackReceiver.ts';
import { loadFlowCases } from '../flow/flowCases.ts';
import { describeMachine } from '../flow/machine.ts';
import type { FlowCase } from '../flow/runFlow.ts';
import { type BenchDatabase, type BenchDatabases, openBenchDatabases } from './benchDatabases.ts';
import { measureFlows } from './measureFlows.ts';
import { loadOnnxCases } from './onnxCases.ts';
import { probeStatusPolls } from './probeStatusPolls.ts';
import { roundTripCensus } from './roundTripCensus.ts';
import { type RoundTripCounter, startRoundTripCounter } from './roundTripCounter.ts';
import { type Phase, parseSandboxArgs, type SandboxArgs, USAGE } from './sandboxArgs.ts';
import { type FlowSettings, sandboxFlows } from './sandboxFlows.ts';
import { buildSandboxReport, renderSandboxReport, type SetupReport } from './sandboxReport.ts';
import { type Sandbox, startSandbox, type Topology } from './startSandbox.ts';
import type { SteadyLoad } from './steadyLoad.ts';

const MODELS_DIR = fileURLToPath(new URL('../../models/onnx/', import.meta.url));
/** Round-trip census: idle rate measured over this long before its flows. */
const CENSUS_IDLE_SECONDS = 3;

interface Step {
  phase: Phase;
  topology: Topology;
  /** Flows measured for throughput and CPU, or counted through the round-trip relay. */
  kind: 'flows' | 'census';
  polls?: boolean;
}

function plan(args: SandboxArgs): Step[] {
  const fixture = (label: string, store: Topology['store'], apis: number, workers: number): Topology => ({
    label,
    store,
    apis,
    workers,
    engine: 'fixture',
  });
  const steps: Step[] = [];
  for (const phase of args.phases) {
    if (phase === 'store') {
      steps.push({ phase, kind: 'flows', polls: true, topology: fixture('memory', 'memory', 1, 0) });
      steps.push({ phase, kind: 'flows', polls: true, topology: fixture('PostgreSQL', 'postgres', 1, 0) });
    }
    if (phase === 'apis') {
      for (const n of args.apis) {
        steps.push({ phase, kind: 'flows', topology: fixture(`${n} api + 1 worker`, 'postgres', n, 1) });
      }
    }
    if (phase === 'onnx') {
      for (const workers of [1, 2]) {
        steps.push({
          phase,
          kind: 'flows',
          topology: {
            label: `1 api + ${workers} worker${workers > 1 ? 's' : ''}`,
            store: 'postgres',
            apis: 1,
            workers,
            engine: 'onnx',
            onnxThreads: args.onnxThreads,
          },
        });
      }
    }
    if (phase === 'round-trips') {
      steps.push({ phase, kind: 'census', topology: fixture('one process (--role all)', 'postgres', 1, 0) });
      for (const n of new Set([1, Math.max(...args.apis)])) {
        steps.push({ phase, kind: 'census', topology: fixture(`${n} api + 1 worker`, 'postgres', n, 1) });
      }
    }
  }
  return steps;
}

async function bench(args: SandboxArgs): Promise<number> {
  const machine = describeMachine();
  const halt = startRunLimit(args.timeLimitMs, 30_000, true);

  const fixtureCases = await loadFlowCases();
  const onnx = loadOnnxCases() ?? {
    cases: fixtureCases,
    source: "the drawn fixtures (face-api's demo photos are not installed): far cheaper to score than photos",
  };
  const steps = plan(args);
  let databases: BenchDatabases | undefined;
  let noDatabase: string | undefined;
  if (steps.some((s) => s.topology.store === 'postgres')) {
    databases = await openBenchDatabases(args.postgresUrl).catch((error: Error) => {
      noDatabase = `no PostgreSQL at ${args.postgresUrl.replace(/\/\/[^@/]*@/, '//')}: ${error.message}`;
      return undefined;
    });
  }
  const setups: SetupReport[] = [];
  try {
    for (const step of steps) {
      const skipped = halt.signal.aborted
        ? `not run: ${halt.signal.reason}`
        : step.topology.store === 'postgres' && !databases
          ? `not run: ${noDatabase}`
          : step.topology.engine === 'onnx' && !existsSync(MODELS_DIR)
            ? 'not run: no ONNX models in models/onnx/ (`npm run models` converts them)'
            : undefined;
      if (skipped) {
        setups.push({
          phase: step.phase,
          topology: step.topology,
          loadAtStart: load(),
          servers: [],
          skipped,
        });
        continue;
      }
      process.stderr.write(
        `bench: ${step.phase}: ${step.topology.label} (${step.topology.engine}, ${step.topology.store}), load ${load()}\n`,
      );
      const cases = step.topology.engine === 'onnx' ? onnx.cases : fixtureCases;
      setups.push(await runSetup(step, args, cases, databases, halt.signal));
    }
  } finally {
    await databases?.close();
    halt.clear();
  }
  const report = buildSandboxReport({
    machine,
    settings: args,
    setups,
    onnxImages: onnx.source,
    stoppedBy: halt.signal.aborted ? String(halt.signal.reason) : undefined,
  });
  process.stdout.write(renderSandboxReport(report));
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.failures.length ? 1 : 0;
}

async function runSetup(
  step: Step,
  args: SandboxArgs,
  cases: FlowCase[],
  databases: BenchDatabases | undefined,
  halt: AbortSignal,
): Promise<SetupReport> {
  const { topology } = step;
  const report: SetupReport = { phase: step.phase, topology, loadAtStart: load(), servers: [] };
  const onnx = topology.engine === 'onnx';
  const settings: FlowSettings = {
    pollCapMs: args.pollCapMs,
    requestTimeoutMs: args.requestTimeoutMs,
    completionTimeoutMs: onnx ? 120_000 : 30_000,
    callbackGraceMs: 5000,
  };
  const crashed = new AbortController();
  const signal = AbortSignal.any([halt, crashed.signal]);
  // Every flow in flight listens for the abort (runFlow), past the default warning at 10.
  setMaxListeners(Math.max(args.concurrency, args.onnxConcurrency) + args.pollers + 10, signal);
  const receiver = await startCallbackReceiver(
    Object.fromEntries(PARTNERS.map((p) => [p.clientId, p.webhookSecret])),
  );
  let database: BenchDatabase | undefined;
  let counter: RoundTripCounter | undefined;
  let sandbox: Sandbox | undefined;
  let crashWatch: NodeJS.Timeout | undefined;
  try {
    if (topology.store === 'postgres' && databases) {
      database = await databases.create(step.kind === 'census' ? 'census' : step.phase);
      const { connections } = await databases.sample(database);
      report.connectionsAtStart = { inUse: connections.all, max: connections.max };
      if (step.kind === 'census') {
        const target = new URL(args.postgresUrl);
        counter = await startRoundTripCounter({ host: target.hostname, port: Number(target.port || 5432) });
      }
    }
    const databaseUrl = database && (counter ? counter.urlFor(database.url) : database.url);
    sandbox = await startSandbox(topology, {
      callbackUrlFor: receiver.urlFor,
      ...(databaseUrl ? { databaseUrl } : {}),
      // The onnx engine's own slots are its bound: the server's default matches them to its threads.
      processingConcurrency: onnx ? 'auto' : args.processingConcurrency,
      databasePoolSize: args.databasePoolSize,
      signal,
    });
    const running = sandbox;
    crashWatch = setInterval(() => {
      const crash = running.crash();
      if (crash) crashed.abort(crash);
    }, 100);
    const { flow, passed } = await sandboxFlows(sandbox, cases, receiver, settings, signal);
    const seconds = onnx ? args.onnxSeconds : args.seconds;
    const warmup = onnx ? args.onnxWarmup : args.warmup;
    const concurrency = onnx ? args.onnxConcurrency : args.concurrency;
    const open = database;
    if (step.kind === 'census' && counter) {
      process.stderr.write(
        `    round-trip census: idle ${CENSUS_IDLE_SECONDS} s, then ${args.censusSeconds} s with ${concurrency} flows in flight\n`,
      );
      report.roundTrips = await roundTripCensus({
        flow,
        count: counter.count,
        statements: counter.statements,
        seconds: args.censusSeconds,
        warmup,
        concurrency,
        idleSeconds: CENSUS_IDLE_SECONDS,
        signal,
      });
    } else {
      const front = sandbox.front[0]?.url as string;
      const measured = await measureFlows({
        sandbox,
        flow,
        receiver,
        seconds,
        warmup,
        concurrency,
        signal,
        ...(open && databases ? { sampleDatabase: () => databases.sample(open) } : {}),
        ...(step.polls && args.pollers > 0
          ? {
              during: (load: SteadyLoad) => {
                process.stderr.write(`    poll probe: ${args.pollers} pollers for ${args.pollSeconds} s\n`);
                return probeStatusPolls({
                  url: front,
                  targets: [...passed],
                  pollers: args.pollers,
                  seconds: args.pollSeconds,
                  requestTimeoutMs: args.requestTimeoutMs,
                  load,
                  signal,
                });
              },
            }
          : {}),
      });
      report.flows = measured.figures;
      if (measured.during) report.polls = measured.during;
    }
  } catch (error) {
    report.failure = (error as Error).message.split('\n').slice(0, 8).join('\n');
    process.stderr.write(`    failed: ${report.failure}\n`);
  } finally {
    clearInterval(crashWatch);
    if (crashed.signal.aborted) report.failure = String(crashed.signal.reason);
    if (sandbox) report.servers = await sandbox.stop();
    await receiver.close();
    await counter?.close();
    if (database && databases) {
      await databases.drop(database).catch((error: Error) => {
        process.stderr.write(`    could not drop ${database?.name}: ${error.message}\n`);
      });
    }
  }
  return report;
}

const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;

process.exitCode = await benchMain(process.argv.slice(2), USAGE, parseSandboxArgs, bench);
