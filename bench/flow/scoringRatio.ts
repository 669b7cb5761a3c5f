/**
 * Real scoring end to end against the engine's own speed, in one run on one machine:
 *
 *   (a) `facematch-mock score --pairs FILE` — the engine's pairs per second as the CLI runs it;
 *   (b) complete partner flows through `facematch-mock serve --engine onnx` over loopback HTTP
 *       (token, create, upload both, confirm, poll to completion, signed callback, details),
 *       on the same pairs, at a concurrency that keeps every inference worker busy;
 *
 * then the ratio (b)/(a): how much of the engine's throughput a partner gets through the server.
 * Both are the real CLI in a child process (compiled dist/ when current, else the sources).
 *
 *   npx tsx bench/flow/scoringRatio.ts --help
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inferenceWorkerCount } from '../../src/scoring/onnx/inferenceWorkerCount.ts';
import { readPairsFile } from '../../src/scoring/onnx/pairsFile.ts';
import { DEV_PAIRS, devSetPresent } from '../scoring/devPairs.ts';
import { benchConfig, PARTNERS } from './benchConfig.ts';
import { benchMain } from './benchMain.ts';
import { startCallbackReceiver } from './callbackReceiver.ts';
import { spawnChildServer } from './childServer.ts';
import { describeMachine } from './machine.ts';
import { requestToken } from './partnerToken.ts';
import { summarise } from './percentiles.ts';
import { processCpuSeconds } from './processCpu.ts';
import { type FlowCase, type FlowResult, runFlow } from './runFlow.ts';
import { progressEvery10Percent, runFlows } from './runFlows.ts';

const CLI = fileURLToPath(new URL('../../src/cli/facematch-mock.js', import.meta.url));
const DEMO_DIR = fileURLToPath(new URL('../../node_modules/@vladmandic/face-api/demo/', import.meta.url));

const USAGE = `npx tsx bench/flow/scoringRatio.ts [options]

(a) \`facematch-mock score --pairs\` over real face pairs: the engine's pairs/s;
(b) complete flows through \`facematch-mock serve --engine onnx\` over loopback HTTP on the same
    pairs: flows/s and status-poll latency under that load;
then the ratio (b)/(a) and the machine (cores, CPU, load average at each phase).

  --pairs FILE           labelled pairs (a<TAB>b[<TAB>same]); default ../shared/faces/dev/pairs.tsv when
                         present, else pairs of face-api's demo photos (node_modules)
  --limit N              use the first N pairs (default all)
  --flows N              timed flows (default: one per pair)
  --warmup W             flows run first, checked, not timed (default 2 per worker)
  --concurrency C        flows in flight (default 16 per worker: with polls a second apart, enough
                         to keep every worker's queue full)
  --workers auto|N       inference workers of both the CLI and the server (default auto: one per core)
  --poll-cap-ms MS       cap on the Retry-After wait between status polls (default 1000: Retry-After
                         honoured, as a partner backend does)
  --request-timeout-ms   each HTTP request's own limit (default 30000)
  --time-limit-s S       hard limit for the whole run (default 900)
  --profile-server DIR   write V8 CPU profiles of the server's threads to DIR (Chrome DevTools)
  -h, --help             this text

Exit code 0 when every flow passed with the outcome the CLI gave that pair and no callback was
lost; 1 otherwise; 2 for bad options. Progress on stderr, the report on stdout.
`;

interface Args {
  pairs: string;
  limit: number | undefined;
  flows: number | undefined;
  warmup: number;
  concurrency: number;
  workers: string;
  pollCapMs: number;
  requestTimeoutMs: number;
  timeLimitMs: number;
  profileServer: string | undefined;
}

interface PairLine {
  score: number;
  outcome: string;
  ms: number;
}

function parse(argv: string[]): Args | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string' },
      limit: { type: 'string' },
      flows: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string', default: 'auto' },
      'poll-cap-ms': { type: 'string' },
      'request-timeout-ms': { type: 'string', default: '30000' },
      'time-limit-s': { type: 'string', default: '900' },
      'profile-server': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (!/^(auto|[1-9]\d*)$/.test(values.workers)) throw new Error(`--workers must be auto or N ≥ 1`);
  const workers = values.workers === 'auto' ? inferenceWorkerCount('auto') : Number(values.workers);
  const int = (text: string | undefined, flag: string, min: number, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${flag} must be a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
  return {
    pairs: values.pairs ?? (devSetPresent() ? DEV_PAIRS : ''),
    limit: values.limit === undefined ? undefined : int(values.limit, '--limit', 1, 0),
    flows: values.flows === undefined ? undefined : int(values.flows, '--flows', 1, 0),
    warmup: int(values.warmup, '--warmup', 0, 2 * workers),
    concurrency: int(values.concurrency, '--concurrency', 1, 16 * workers),
    workers: values.workers,
    pollCapMs: int(values['poll-cap-ms'], '--poll-cap-ms', 0, 1000),
    requestTimeoutMs: int(values['request-timeout-ms'], '--request-timeout-ms', 1, 30_000),
    timeLimitMs: int(values['time-limit-s'], '--time-limit-s', 1, 900) * 1000,
    profileServer: values['profile-server'],
  };
}

const load = () => (loadavg()[0] ?? 0).toFixed(2);

/** Peak resident memory of a running process (Linux), MiB; undefined elsewhere. */
function peakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function run(args: Args): Promise<number> {
  const halt = new AbortController();
  const limit = setTimeout(() => halt.abort('time limit'), args.timeLimitMs);
  const dir = mkdtempSync(join(tmpdir(), 'facematch-ratio-'));
  try {
    return await bench(args, dir, halt.signal);
  } finally {
    clearTimeout(limit);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(args: Args, dir: string, signal: AbortSignal): Promise<number> {
  const machine = describeMachine();
  // One file with absolute paths, so the CLI and the flows see exactly the same pairs.
  const all = args.pairs ? readPairsFile(args.pairs).map((p) => ({ a: p.pathA, b: p.pathB })) : demoPairs();
  const pairs = all.slice(0, args.limit ?? all.length);
  const pairsFile = join(dir, 'pairs.tsv');
  writeFileSync(pairsFile, `a\tb\n${pairs.map((p) => `${p.a}\t${p.b}`).join('\n')}\n`);
  const source = args.pairs || `face-api demo photos (${DEMO_DIR})`;
  process.stderr.write(`bench: ${pairs.length} pairs from ${source}; workers ${args.workers}\n`);

  // (a) the engine on its own, as the CLI runs it.
  const loadBeforeA = load();
  process.stderr.write(`bench: (a) facematch-mock score --pairs (load ${loadBeforeA})\n`);
  const a = await runScoreCommand(pairsFile, args.workers, signal);
  const loadAfterA = load();
  if (!a.ok) {
    process.stderr.write(`bench: the score command failed: ${a.error}\n`);
    return 1;
  }

  // (b) the same pairs as complete partner flows through the server.
  const receiver = await startCallbackReceiver(
    Object.fromEntries(PARTNERS.map((p) => [p.clientId, p.webhookSecret])),
  );
  const server = spawnChildServer(
    benchConfig({ callbackUrlFor: receiver.urlFor, processingDelayMs: 0, processingConcurrency: 'auto' }),
    'onnx',
    args.profileServer ? ['--cpu-prof', '--cpu-prof-dir', args.profileServer] : [],
    ['--onnx-workers', args.workers],
  );
  const cases: FlowCase[] = pairs.map((p, i) => ({
    name: `${p.a} vs ${p.b}`,
    selfie: new Uint8Array(readFileSync(p.a)),
    selfieContentType: contentType(p.a),
    document: new Uint8Array(readFileSync(p.b)),
    documentContentType: contentType(p.b),
    outcome: (a.lines[i] as PairLine).outcome,
  }));
  const flows = args.flows ?? pairs.length;
  let results: FlowResult[] = [];
  let seconds = 0;
  let serverRss: { ready?: number; peak?: number } = {};
  let loadBeforeB = '';
  let loadAfterB = '';
  let failure: string | undefined;
  const serverCpu: { start?: number; end?: number } = {};
  const loopCpu: { start?: number; end?: number } = {};
  let clientCpu: NodeJS.CpuUsage | undefined;
  let clientCpuSeconds = 0;
  try {
    const baseUrl = await server.ready(signal, 60_000);
    serverRss = { ready: peakRssMiB(server.pid) };
    const tokens = new Map<string, string>();
    for (const partner of PARTNERS) {
      const signalWithTimeout = AbortSignal.any([signal, AbortSignal.timeout(args.requestTimeoutMs)]);
      tokens.set(partner.clientId, (await requestToken(baseUrl, partner, signalWithTimeout)).token);
    }
    const flow = (index: number) => {
      const partner = PARTNERS[index % PARTNERS.length] as (typeof PARTNERS)[number];
      return runFlow({
        index,
        baseUrl,
        token: tokens.get(partner.clientId) as string,
        flowCase: cases[index % cases.length] as FlowCase,
        receiver,
        pollCapMs: args.pollCapMs,
        callbackGraceMs: 10_000,
        completionTimeoutMs: 120_000,
        requestTimeoutMs: args.requestTimeoutMs,
        signal,
      });
    };
    if (args.warmup > 0) {
      process.stderr.write(`bench: (b) warm-up, ${args.warmup} flows\n`);
      const warm = await runFlows(args.warmup, args.concurrency, signal, flow, () => {});
      const bad = warm.find((r) => r.failedStep);
      if (bad) throw new Error(`warm-up flow failed at ${bad.failedStep}: ${bad.error}`);
    }
    loadBeforeB = load();
    process.stderr.write(
      `bench: (b) ${flows} flows through the server, ${args.concurrency} in flight (load ${loadBeforeB})\n`,
    );
    const started = performance.now();
    serverCpu.start = processCpuSeconds(server.pid);
    loopCpu.start = processCpuSeconds(server.pid, true);
    clientCpu = process.cpuUsage();
    // Timed flows start on the pair after the warm-up's, so every pair is timed once.
    results = await runFlows(
      flows,
      args.concurrency,
      signal,
      (index) => flow(args.warmup + index),
      progressEvery10Percent(flows, started),
    );
    seconds = (performance.now() - started) / 1000;
    serverCpu.end = processCpuSeconds(server.pid);
    loopCpu.end = processCpuSeconds(server.pid, true);
    const used = process.cpuUsage(clientCpu);
    clientCpuSeconds = (used.user + used.system) / 1e6;
    loadAfterB = load();
    serverRss.peak = peakRssMiB(server.pid);
  } catch (error) {
    failure = (error as Error).message;
  } finally {
    const crash = server.unexpectedExit();
    await server.stop();
    await receiver.close();
    if (crash) failure = `${failure ? `${failure}; ` : ''}${crash}`;
  }

  const ok = results.filter((r) => !r.failedStep);
  const failed = results.filter((r) => r.failedStep);
  const flowsPerSecond = seconds > 0 ? ok.length / seconds : 0;
  const polls = summarise(results.flatMap((r) => r.pollMs));
  const processing = summarise(ok.map((r) => r.timings.processing ?? Number.NaN).filter(Number.isFinite));
  const total = summarise(ok.map((r) => r.timings.total ?? Number.NaN).filter(Number.isFinite));
  const perPair = summarise(a.lines.map((l) => l.ms));
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const cpuPerFlowMs =
    serverCpu.start !== undefined && serverCpu.end !== undefined && ok.length > 0
      ? ((serverCpu.end - serverCpu.start) * 1000) / ok.length
      : Number.NaN;
  const loopCpuPerFlowMs =
    loopCpu.start !== undefined && loopCpu.end !== undefined && ok.length > 0
      ? ((loopCpu.end - loopCpu.start) * 1000) / ok.length
      : Number.NaN;
  const clientCpuPerFlowMs = ok.length > 0 ? (clientCpuSeconds * 1000) / ok.length : Number.NaN;
  // CPU seconds per wall second: how many cores each side kept busy (a pool left idle shows here).
  const serverCores = (cpuPerFlowMs * flowsPerSecond) / 1000;
  const cliCores = (a.cpuPerPairMs * a.pairsPerSecond) / 1000;
  const fromSources = (lines: string[]) => lines.some((l) => l.includes('TypeScript sources through tsx'));
  const build =
    fromSources(server.stderrLines) || a.fromSources ? 'sources through tsx (dist/ stale)' : 'compiled dist/';
  const lines = [
    `machine: ${machine.cores} cores (${availableParallelism()} available), ${cpus()[0]?.model.trim()}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}`,
    `pairs: ${pairs.length} from ${source}; inference workers: ${args.workers}; ran from ${build}`,
    '',
    `(a) score --pairs: ${a.pairsPerSecond.toFixed(2)} pairs/s after its first 10 pairs (the command's own figure, from its first pair: ${a.commandRate.toFixed(2)}; ${a.wallSeconds.toFixed(1)} s in all, models loaded); per pair median ${ms(perPair.p50)}, p99 ${ms(perPair.p99)}; peak RSS ${a.peakRss ?? '?'} MiB; load ${loadBeforeA} → ${loadAfterA}`,
    `(b) server flows: ${flowsPerSecond.toFixed(2)} complete flows/s (${ok.length} ok, ${failed.length} failed, ${seconds.toFixed(1)} s, ${args.concurrency} in flight); processing median ${ms(processing.p50)}, p99 ${ms(processing.p99)}; end to end median ${ms(total.p50)}, p99 ${ms(total.p99)}; load ${loadBeforeB} → ${loadAfterB}`,
    `    status polls during the load: ${polls.n} (${(ok.length > 0 ? polls.n / ok.length : 0).toFixed(1)} per flow), latency median ${polls.p50.toFixed(1)} ms, p99 ${polls.p99.toFixed(1)} ms, max ${polls.max.toFixed(1)} ms`,
    `    server RSS: ${serverRss.ready ?? '?'} MiB when ready, peak ${serverRss.peak ?? '?'} MiB`,
    `CPU (user + system, all threads; moved far less than rates by other load, though contention and the extra polls of slower flows still add some): (a) ${ms(a.cpuPerPairMs)} per pair, ${cliCores.toFixed(2)} cores busy; (b) server ${ms(cpuPerFlowMs)} per flow (its event loop's thread ${loopCpuPerFlowMs.toFixed(1)} ms), ${serverCores.toFixed(2)} cores busy; the bench's own client and callback receiver ${ms(clientCpuPerFlowMs)} per flow`,
    '',
    `ratio (b)/(a): ${(a.pairsPerSecond > 0 ? flowsPerSecond / a.pairsPerSecond : 0).toFixed(3)} measured; ${(a.cpuPerPairMs / cpuPerFlowMs).toFixed(3)} by CPU per pair ÷ CPU per flow (what an otherwise idle machine would give if the bench's client ran elsewhere)`,
  ];
  for (const r of failed.slice(0, 8)) lines.push(`  failed at ${r.failedStep}: ${r.error}`);
  if (failure) lines.push(`  run: ${failure}`);
  const lost = results.filter((r) => r.callbackLost).length;
  const pass = !failure && failed.length === 0 && lost === 0 && ok.length === flows;
  lines.push('', pass ? 'PASS' : `FAIL (lost callbacks ${lost})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return pass ? 0 : 1;
}

/** Without the dev set: face-api's demo photos, each against each other and itself. */
function demoPairs(): Array<{ a: string; b: string }> {
  const photos = [1, 2, 3, 4, 5, 6].map((n) => join(DEMO_DIR, `sample${n}.jpg`));
  return photos.flatMap((a, i) => photos.slice(i).map((b) => ({ a, b })));
}

function contentType(path: string): 'image/png' | 'image/jpeg' {
  return path.toLowerCase().endsWith('.png') ? 'image/png' : 'image/jpeg';
}

/** The real CLI in its own process; its stderr progress is passed on. */
async function runScoreCommand(
  pairsFile: string,
  workers: string,
  signal: AbortSignal,
): Promise<
  | {
      ok: true;
      lines: PairLine[];
      pairsPerSecond: number;
      commandRate: number;
      wallSeconds: number;
      fromSources: boolean;
      peakRss: number | undefined;
      cpuPerPairMs: number;
    }
  | { ok: false; error: string }
> {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'score', '--pairs', pairsFile, '--json', '--workers', workers],
    { stdio: ['ignore', 'pipe', 'pipe'], signal },
  );
  let stdout = '';
  let rate = 0;
  let stderrTail = '';
  let stderrAll = '';
  let peakRss: number | undefined;
  // CPU from the first progress line to the last sample: scoring only, not loading the models.
  const cpu: { first?: { at: number; pairs: number }; last?: number } = {};
  // Pairs/s over the same window, so neither side counts the first, cold comparisons.
  const mark: { first?: { t: number; pairs: number }; last?: { t: number; pairs: number } } = {};
  const sampler = setInterval(() => {
    peakRss = peakRssMiB(child.pid) ?? peakRss;
    cpu.last = processCpuSeconds(child.pid) ?? cpu.last;
  }, 100);
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
    if (stderrAll.length < 4096) stderrAll += chunk;
    for (const line of chunk.split('\n')) {
      const m = /scored (\d+)\/(\d+) pairs \(([\d.]+) pairs\/s\)/.exec(line);
      if (!m) continue;
      rate = Number(m[3]);
      const now = { t: performance.now(), pairs: Number(m[1]) };
      mark.first ??= now;
      mark.last = now;
      if (!cpu.first) {
        const at = processCpuSeconds(child.pid);
        if (at !== undefined) cpu.first = { at, pairs: Number(m[1]) };
      }
      if (Number(m[1]) % 50 === 0 || m[1] === m[2]) process.stderr.write(`  ${line.trim()}\n`);
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (c) => resolve(c));
  });
  clearInterval(sampler);
  if (code !== 0) return { ok: false, error: `exit ${code}: ${stderrTail}` };
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{"a"'))
    .map((l) => JSON.parse(l) as PairLine);
  const cpuPerPairMs =
    cpu.first && cpu.last !== undefined && lines.length > cpu.first.pairs
      ? ((cpu.last - cpu.first.at) * 1000) / (lines.length - cpu.first.pairs)
      : Number.NaN;
  const windowed =
    mark.first && mark.last && mark.last.pairs > mark.first.pairs
      ? ((mark.last.pairs - mark.first.pairs) * 1000) / (mark.last.t - mark.first.t)
      : rate;
  return {
    ok: true,
    lines,
    pairsPerSecond: windowed,
    commandRate: rate,
    fromSources: stderrAll.includes('TypeScript sources through tsx'),
    wallSeconds: (performance.now() - started) / 1000,
    peakRss,
    cpuPerPairMs,
  };
}

process.exitCode = await benchMain(process.argv.slice(2), USAGE, parse, run);
