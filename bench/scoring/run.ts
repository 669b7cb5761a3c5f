/**
 * Our ONNX pipeline against the TF.js reference (face-api, SSD detector, tfjs-backend-wasm)
 * on the same labelled pairs. Prints, for each: per-pair latency median and p99, pairs/s
 * on 2 cores, peak RSS, AUC and accuracy over ALL pairs (a missed face is a non-match).
 *
 *   npx tsx bench/scoring/run.ts [--pairs FILE.tsv] [--limit N] [--only ours|reference] [--with-workers]
 *
 * One command runs both; each pipeline runs in its own child process so peak RSS is
 * its own (process.resourceUsage().maxRSS) and one runtime's heap cannot hide in the
 * other's figure. How each uses 2 cores:
 *   ours       one process, one ORT session per model with intraOpNumThreads 1, two
 *              comparisons in flight (engine concurrency 2): the server's configuration;
 *   reference  two processes, each scoring half the pairs: TF.js on wasm is
 *              single-threaded in Node, so a second process is its only way to a second core.
 * Latency is per pair (decode + both faces + distance) measured under that 2-way load.
 * Children run with MALLOC_ARENA_MAX=2 (unless set otherwise), as a server deployment would.
 * Progress goes to stderr; the table to stdout.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { readPairsFile } from '../../src/scoring/onnx/pairsFile.ts';
import { areaUnderCurve } from '../../src/scoring/onnx/verificationMetrics.ts';
import { DEV_PAIRS } from './devPairs.ts';
import { createFaceApiReference } from './faceApiReference.ts';

/** What a worker reports for one pair: higher `similarity` = more alike; null = a face was missed. */
interface PairOutcome {
  index: number;
  same: boolean;
  similarity: number | null;
  score?: number;
  ms: number;
}

interface WorkerReport {
  pipeline: string;
  /** Longest and 99th-percentile event-loop stall while scoring, ms. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  engine: string;
  outcomes: PairOutcome[];
  wallMs: number;
  maxRssMb: number;
}

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: DEV_PAIRS },
    limit: { type: 'string' },
    only: { type: 'string' },
    worker: { type: 'string' },
    shard: { type: 'string', default: '0/1' },
    /** Also run our engine on a pool of worker threads, one per core (as the server does). */
    'with-workers': { type: 'boolean', default: false },
  },
});
// How long the event loop was blocked: what a server's other requests would wait.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
const allPairs = readPairsFile(values.pairs).filter((p) => p.same !== undefined);
const pairs = values.limit ? allPairs.slice(0, Number(values.limit)) : allPairs;

if (values.worker) {
  loopDelay.enable();
  const report =
    values.worker === 'reference'
      ? await runReference(values.shard)
      : await runOurs(values.worker === 'ours-workers');
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
} else {
  await orchestrate();
}

async function runOurs(pooled: boolean): Promise<WorkerReport> {
  // In-thread: two comparisons interleave, one ORT thread each. Pool: one worker per core, each
  // one comparison at a time with one ORT thread, and twice as many in flight as workers so
  // none waits for the next pair (the server's processing.concurrency auto).
  const workers = availableParallelism();
  const engine = await createOnnxEngine(
    pooled ? { workers, intraOpNumThreads: 1, concurrency: 1 } : { intraOpNumThreads: 1, concurrency: 2 },
  );
  const inFlight = pooled ? 2 * workers : 2;
  // Files are read per pair, as uploads arrive, so the process does not hold the whole set.
  const bytes = (index: number) => {
    const p = pairs[index] as (typeof pairs)[number];
    return [readFileSync(p.pathA), readFileSync(p.pathB)] as const;
  };
  // Warm-up: first runs allocate ORT arenas; steady state is what a server sees.
  await engine.compare(...bytes(0));
  const outcomes: PairOutcome[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < pairs.length) {
      const index = next++;
      const [a, b] = bytes(index);
      const t = performance.now();
      const r = await engine.compare(a, b);
      outcomes.push({
        index,
        same: !!pairs[index]?.same,
        similarity: r.score > 0 ? r.score - (r.distance ?? 0) / 10 : null,
        score: r.score,
        ms: performance.now() - t,
      });
      progress('ours', outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const wallMs = performance.now() - started;
  await engine.close();
  return {
    pipeline: pooled ? `ours, ${workers} worker threads (intra-op 1)` : 'ours (ONNX)',
    engine: engine.identity,
    outcomes,
    wallMs,
    maxRssMb: maxRssMb(),
    ...loopDelayMs(),
  };
}

async function runReference(shard: string): Promise<WorkerReport> {
  const [k, n] = shard.split('/').map(Number) as [number, number];
  const reference = await createFaceApiReference();
  const mine = pairs.map((p, index) => ({ p, index })).filter(({ index }) => index % n === k);
  const first = mine[0];
  if (first) await reference.describe(readFileSync(first.p.pathA));
  const outcomes: PairOutcome[] = [];
  const started = performance.now();
  for (const { p, index } of mine) {
    const t = performance.now();
    const a = await reference.describe(readFileSync(p.pathA));
    const b = await reference.describe(readFileSync(p.pathB));
    const distance = a && b ? Math.hypot(...a.map((v, i) => v - (b[i] as number))) : null;
    outcomes.push({
      index,
      same: !!p.same,
      similarity: distance === null ? null : -distance,
      ms: performance.now() - t,
    });
    progress(`reference ${shard}`, outcomes.length, mine.length);
  }
  return {
    pipeline: 'reference (face-api SSD, tfjs-wasm)',
    engine: '@vladmandic/face-api 1.7.15 ssdMobilenetv1+faceLandmark68Net+faceRecognitionNet',
    outcomes,
    wallMs: performance.now() - started,
    maxRssMb: maxRssMb(),
    ...loopDelayMs(),
  };
}

async function orchestrate(): Promise<void> {
  const extra = [...(values.limit ? ['--limit', values.limit] : []), '--pairs', values.pairs];
  const rows: Record<string, string>[] = [];
  if (values.only !== 'reference') {
    const [ours] = await Promise.all([child(['--worker', 'ours', ...extra])]);
    rows.push(
      summarise(
        [ours as WorkerReport],
        (o) => (o.score ?? 0) >= 80,
        (o) => (o.score ?? 0) >= 70,
      ),
    );
    if (values['with-workers']) {
      const pooled = await child(['--worker', 'ours-workers', ...extra]);
      rows.push(
        summarise(
          [pooled],
          (o) => (o.score ?? 0) >= 80,
          (o) => (o.score ?? 0) >= 70,
        ),
      );
    }
  }
  if (values.only !== 'ours') {
    const shards = await Promise.all([
      child(['--worker', 'reference', '--shard', '0/2', ...extra]),
      child(['--worker', 'reference', '--shard', '1/2', ...extra]),
    ]);
    // face-api's documented same-person limit: Euclidean distance below 0.6.
    const match = (o: PairOutcome) => o.similarity !== null && -o.similarity < 0.6;
    rows.push(summarise(shards, match, match));
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `\n${pairs.length} labelled pairs from ${values.pairs}\nmachine: ${cpus().length} cores (${cpu}), Node ${process.version}\n`,
  );
  console.table(rows);
  process.stdout.write(`load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)}\n`);
  if (values.only !== 'ours' && rows.length >= 2) {
    const speedup = Number(rows[0]?.['pairs/s']) / Number(rows[rows.length - 1]?.['pairs/s']);
    process.stdout.write(`throughput ours / reference: ${speedup.toFixed(1)}×\n`);
  }
}

function summarise(
  reports: WorkerReport[],
  accept80: (o: PairOutcome) => boolean,
  accept70: (o: PairOutcome) => boolean,
): Record<string, string> {
  const outcomes = reports.flatMap((r) => r.outcomes);
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN;
  const wall = Math.max(...reports.map((r) => r.wallMs));
  // Missed faces rank below every real comparison: a partner sees them as non-matches.
  const sim = (o: PairOutcome) => o.similarity ?? Number.NEGATIVE_INFINITY;
  const auc = areaUnderCurve(
    outcomes.filter((o) => o.same).map(sim),
    outcomes.filter((o) => !o.same).map(sim),
  );
  const accuracy = (accept: (o: PairOutcome) => boolean) =>
    outcomes.filter((o) => accept(o) === o.same).length / outcomes.length;
  const missed = outcomes.filter((o) => o.similarity === null).length;
  return {
    pipeline: reports[0]?.pipeline ?? '?',
    'median ms/pair': at(0.5).toFixed(0),
    'p99 ms/pair': at(0.99).toFixed(0),
    'pairs/s': (outcomes.length / (wall / 1000)).toFixed(2),
    'peak RSS MB': Math.max(...reports.map((r) => r.maxRssMb)).toFixed(0),
    'AUC (all pairs)': auc.toFixed(4),
    'accuracy (80 | 0.6)': accuracy(accept80).toFixed(4),
    'accuracy (70 | 0.6)': accuracy(accept70).toFixed(4),
    'pairs with a missed face': String(missed),
    'event-loop stall p99/max ms': `${Math.max(...reports.map((r) => r.loopDelayP99Ms)).toFixed(0)}/${Math.max(...reports.map((r) => r.loopDelayMaxMs)).toFixed(0)}`,
  };
}

function child(args: string[]): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      // Both pipelines get the glibc setting sharp recommends for servers: without it every
      // libvips/ORT/libuv thread keeps its own malloc arena of freed memory (~20 MB here).
      env: { MALLOC_ARENA_MAX: '2', ...process.env },
    });
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`worker ${args.join(' ')} exited ${code}`));
      else resolve(JSON.parse(last) as WorkerReport);
    });
  });
}

function progress(label: string, done: number, total = pairs.length): void {
  if (done % 20 === 0 || done === total) process.stderr.write(`${label}: ${done}/${total} pairs\n`);
}

function loopDelayMs(): { loopDelayMaxMs: number; loopDelayP99Ms: number } {
  // The histogram is in nanoseconds.
  return { loopDelayMaxMs: loopDelay.max / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
}

function maxRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}
