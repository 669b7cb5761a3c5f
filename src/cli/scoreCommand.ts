import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_THRESHOLDS, outcomeFor, type Thresholds } from '../domain/outcome.ts';
import { createOnnxEngine, type OnnxEngine } from '../scoring/onnx/createOnnxEngine.ts';
import { inferenceWorkerCount } from '../scoring/onnx/inferenceWorkerCount.ts';
import { readPairsFile } from '../scoring/onnx/pairsFile.ts';
import { summariseScores } from '../scoring/onnx/verificationMetrics.ts';
import type { ImageAnalysis, ScoreResult } from '../scoring/ScoringEngine.ts';

export interface ScoreCommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

const USAGE = `facematch-mock score — compare faces with the real (ONNX) engine

Usage:
  facematch-mock score <selfie> <document> [--json]
  facematch-mock score --pairs FILE.tsv [--json]

Images: JPEG, PNG, WebP, or JPEG 2000 (.jp2, or a raw .j2k codestream), read by their bytes.

Options:
  --json               machine-readable output
  --pairs FILE.tsv     lines "a<TAB>b[<TAB>same]" (header optional, paths relative to FILE);
                       prints one JSON line per pair, then a summary when "same" labels exist
  --success N          success threshold (default ${DEFAULT_THRESHOLDS.success})
  --review N           review threshold (default ${DEFAULT_THRESHOLDS.review})
  --models FILE        model manifest (default models/manifest.json)
  --model-set NAME     "faceapi" or a bring-your-own set named in the manifest
  --threads N          ONNX Runtime intra-op threads per inference (default 1)
  --workers auto|N     worker threads, each with its own models (~110 MB); 0 runs them in this
                       thread (default: auto, one per core, with --pairs; 0 for one pair)
  --concurrency N      comparisons in flight for --pairs (default 2 per worker; 2 with --workers 0)
  -h, --help           this text

Exit codes: 0 done (a score of 0 is an answer: the comparison was inconclusive),
1 a file could not be read or the engine failed, 2 bad usage.
`;

/** `facematch-mock score …`: argv is what follows "score". Returns the exit code. */
export async function runScoreCommand(argv: string[], io: ScoreCommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const thresholds: Thresholds = {
    success: values.success === undefined ? DEFAULT_THRESHOLDS.success : Number(values.success),
    review: values.review === undefined ? DEFAULT_THRESHOLDS.review : Number(values.review),
  };
  if (
    ![thresholds.success, thresholds.review].every((t) => Number.isInteger(t) && t >= 1 && t <= 100) ||
    thresholds.review > thresholds.success
  ) {
    io.stderr.write('--success and --review must be integers 1–100 with review ≤ success.\n');
    return 2;
  }
  const pairsMode = values.pairs !== undefined;
  if (pairsMode ? positionals.length !== 0 : positionals.length !== 2) {
    io.stderr.write(
      `${pairsMode ? '--pairs takes no image arguments' : 'expected <selfie> and <document>'}.\n\n${USAGE}`,
    );
    return 2;
  }
  // One pair cannot use a second core, and a worker would only add its start-up.
  const workersSetting = values.workers ?? (pairsMode ? 'auto' : '0');
  if (!/^(auto|\d+)$/.test(workersSetting)) {
    io.stderr.write(`--workers must be auto, 0 or a number of workers, got "${workersSetting}".\n`);
    return 2;
  }
  const workers = workersSetting === 'auto' ? inferenceWorkerCount('auto') : Number(workersSetting);
  // Pooled, twice the workers in flight: each worker has its next pair waiting, never idles.
  const concurrency = positiveInt(values.concurrency, workers > 0 ? 2 * workers : 2);
  let engine: OnnxEngine;
  try {
    engine = await createOnnxEngine({
      ...(values.models ? { manifestPath: resolve(values.models) } : {}),
      ...(values['model-set'] ? { modelSet: values['model-set'] } : {}),
      intraOpNumThreads: positiveInt(values.threads, 1),
      ...(workers > 0 ? { workers, concurrency: 1 } : { concurrency }),
    });
  } catch (error) {
    io.stderr.write(
      `Could not load the ONNX models: ${(error as Error).message}\nRun the model converter (models/) or pass --models.\n`,
    );
    return 1;
  }
  try {
    return pairsMode
      ? await scorePairs(engine, resolve(values.pairs as string), thresholds, concurrency, !!values.json, io)
      : await scoreOne(
          engine,
          positionals[0] as string,
          positionals[1] as string,
          thresholds,
          !!values.json,
          io,
        );
  } finally {
    await engine.close();
  }
}

function parse(argv: string[]) {
  const args = argv[0] === 'score' ? argv.slice(1) : argv;
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      pairs: { type: 'string' },
      success: { type: 'string' },
      review: { type: 'string' },
      models: { type: 'string' },
      'model-set': { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function scoreOne(
  engine: OnnxEngine,
  selfiePath: string,
  documentPath: string,
  thresholds: Thresholds,
  json: boolean,
  io: ScoreCommandIo,
): Promise<number> {
  const images = await readBoth(selfiePath, documentPath, io);
  if (!images) return 1;
  const started = performance.now();
  const result = await engine.score(images[0], images[1]);
  const ms = Math.round(performance.now() - started);
  const outcome = outcomeFor(result.score, thresholds);
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ score: result.score, outcome, reasons: result.reasons, selfie: result.selfie, document: result.document, engine: result.engine, ms })}\n`,
    );
    return 0;
  }
  const lines = [
    `score     ${result.score}  ${outcome} (success ≥ ${thresholds.success}, review ≥ ${thresholds.review})`,
    ...(result.reasons.length === 0
      ? ['reasons   none']
      : result.reasons.map((r, i) => `${i === 0 ? 'reasons ' : '        '}  ${r.code}: ${r.message}`)),
    `selfie    ${describeImage(result.selfie)}`,
    `document  ${describeImage(result.document)}`,
    `engine    ${result.engine}`,
    `time      ${ms} ms`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function scorePairs(
  engine: OnnxEngine,
  file: string,
  thresholds: Thresholds,
  concurrency: number,
  json: boolean,
  io: ScoreCommandIo,
): Promise<number> {
  let pairs: ReturnType<typeof readPairsFile>;
  try {
    pairs = readPairsFile(file);
  } catch (error) {
    io.stderr.write(`Cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const results: (PairLine | undefined)[] = new Array(pairs.length);
  let next = 0;
  let printed = 0;
  let finished = 0;
  let failed = false;
  const started = performance.now();
  // Results print in file order even though `concurrency` pairs run at once.
  const flush = () => {
    while (printed < pairs.length && results[printed]) {
      io.stdout.write(`${JSON.stringify(results[printed])}\n`);
      printed++;
    }
  };
  const worker = async () => {
    while (next < pairs.length) {
      const index = next++;
      const pair = pairs[index] as (typeof pairs)[number];
      const images = await readBoth(pair.pathA, pair.pathB, io);
      const t = performance.now();
      let result: ScoreResult;
      if (images) {
        result = await engine.score(images[0], images[1]);
      } else {
        failed = true;
        result = {
          score: 0,
          reasons: [{ code: 'UNREADABLE_IMAGE', message: 'file could not be read' }],
          selfie: null,
          document: null,
          engine: engine.name,
        };
      }
      results[index] = {
        a: pair.a,
        b: pair.b,
        ...(pair.same === undefined ? {} : { same: pair.same }),
        score: result.score,
        outcome: outcomeFor(result.score, thresholds),
        reasons: result.reasons,
        ms: Math.round(performance.now() - t),
      };
      finished++;
      if (finished % 10 === 0 || finished === pairs.length) {
        const rate = finished / ((performance.now() - started) / 1000);
        io.stderr.write(`scored ${finished}/${pairs.length} pairs (${rate.toFixed(1)} pairs/s)\n`);
      }
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  flush();
  const labelled = (results as PairLine[]).filter((r) => r.same !== undefined);
  if (labelled.length > 0) {
    const summary = summariseScores(labelled.map((r) => ({ score: r.score, same: r.same as boolean })));
    const inconclusive = labelled.filter((r) => r.score === 0).length;
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ summary: { ...summary, inconclusive, engine: engine.identity } })}\n`,
      );
    } else {
      const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
      io.stdout.write(
        [
          `summary over ${labelled.length} labelled pairs (${summary.genuine} same, ${summary.impostor} different; ${inconclusive} inconclusive, counted as non-matches)`,
          `  AUC ${summary.auc.toFixed(4)}`,
          `  at 80: accuracy ${pct(summary.accuracyAt80)}, false accepts ${pct(summary.far80)}, false rejects ${pct(summary.frr80)}`,
          `  at 70: accuracy ${pct(summary.accuracyAt70)}, false accepts ${pct(summary.far70)}, false rejects ${pct(summary.frr70)}`,
          '',
        ].join('\n'),
      );
    }
  }
  return failed ? 1 : 0;
}

interface PairLine {
  a: string;
  b: string;
  same?: boolean;
  score: number;
  outcome: string;
  reasons: ScoreResult['reasons'];
  ms: number;
}

async function readBoth(a: string, b: string, io: ScoreCommandIo): Promise<[Buffer, Buffer] | null> {
  try {
    return [await readFile(a), await readFile(b)];
  } catch (error) {
    io.stderr.write(
      `Cannot read ${(error as NodeJS.ErrnoException).path ?? a}: ${(error as Error).message}\n`,
    );
    return null;
  }
}

function describeImage(image: ImageAnalysis | null): string {
  if (!image) return 'unreadable';
  const head = `${image.width}×${image.height}, ${image.facesFound} face${image.facesFound === 1 ? '' : 's'} found`;
  const f = image.face;
  if (!f) return head;
  const q = f.quality
    ? `, sharpness ${f.quality.sharpness.toFixed(0)}, brightness ${f.quality.brightness.toFixed(0)}`
    : '';
  return `${head}; used box ${f.box.x},${f.box.y} ${f.box.width}×${f.box.height}, confidence ${f.confidence}, ${f.sizePx} px${q}`;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
