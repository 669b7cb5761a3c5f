import { parseArgs } from 'node:util';

export interface BenchArgs {
  flows: number;
  /** Flows run first and checked, but left out of the figures: a cold server's first wave is not its steady state. */
  warmup: number;
  concurrency: number;
  engine: 'fixture' | 'onnx' | 'auto';
  processingDelayMs: number;
  processingConcurrency: number | 'auto';
  /** Polls honour Retry-After (whole seconds) but never wait longer than this. */
  pollCapMs: number;
  /** How long a flow that saw COMPLETED waits for its callback before calling it lost. */
  callbackGraceMs: number;
  /** Hard limit for the whole run, server start included. */
  timeLimitMs: number;
  freshTokens: number;
  /** Directory for a V8 CPU profile of the server process (written when it stops). */
  profileServer?: string;
  json: boolean;
}

export const USAGE = `npx tsx bench/flow/run.ts [options]

Runs N complete partner flows against a facematch-mock started as a child process.

  --flows N                     complete flows to run (default 200)
  --concurrency C               flows in flight at once (default 20)
  --warmup W                    flows run and checked before the timed ones, not in the figures (default 20)
  --engine fixture|onnx|auto    scoring engine of the server (default fixture)
  --processing-delay-ms MS      server's artificial processing delay (default 0)
  --processing-concurrency K    server's scoring jobs at once, or auto (default auto, the server default)
  --poll-cap-ms MS              cap on the Retry-After wait between status polls (default 50)
  --callback-grace-ms MS        wait for a callback after COMPLETED before it counts as lost (default 5000)
  --time-limit-s S              hard limit for the whole run; past it the bench reports and exits 1 (default 120)
  --fresh-tokens K              fresh token requests timed before the load (default 20)
  --profile-server DIR          write a V8 CPU profile of the server to DIR (open in Chrome DevTools)
  --json                        also print one machine-readable JSON line at the end
  -h, --help                    this text
`;

export function parseBenchArgs(argv: string[]): BenchArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      flows: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '20' },
      engine: { type: 'string', default: 'fixture' },
      'processing-delay-ms': { type: 'string', default: '0' },
      'processing-concurrency': { type: 'string', default: 'auto' },
      'poll-cap-ms': { type: 'string', default: '50' },
      'callback-grace-ms': { type: 'string', default: '5000' },
      'time-limit-s': { type: 'string', default: '120' },
      'fresh-tokens': { type: 'string', default: '20' },
      'profile-server': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const engine = values.engine;
  if (engine !== 'fixture' && engine !== 'onnx' && engine !== 'auto') {
    throw new Error(`--engine must be fixture, onnx or auto, got "${engine}"`);
  }
  return {
    flows: integer(values.flows, '--flows', 1),
    warmup: integer(values.warmup, '--warmup', 0),
    concurrency: integer(values.concurrency, '--concurrency', 1),
    engine,
    processingDelayMs: integer(values['processing-delay-ms'], '--processing-delay-ms', 0),
    processingConcurrency:
      values['processing-concurrency'] === 'auto'
        ? 'auto'
        : integer(values['processing-concurrency'], '--processing-concurrency', 1),
    pollCapMs: integer(values['poll-cap-ms'], '--poll-cap-ms', 0),
    callbackGraceMs: integer(values['callback-grace-ms'], '--callback-grace-ms', 0),
    timeLimitMs: integer(values['time-limit-s'], '--time-limit-s', 1) * 1000,
    freshTokens: integer(values['fresh-tokens'], '--fresh-tokens', 0),
    ...(values['profile-server'] ? { profileServer: values['profile-server'] } : {}),
    json: values.json,
  };
}

/** A whole number of at least `min`, or an error naming the flag. */
export function integer(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${flag} must be a whole number ≥ ${min}, got "${text}"`);
  }
  return value;
}
