import { parseArgs } from 'node:util';
import { integer } from '../flow/benchArgs.ts';

export const PHASES = ['store', 'apis', 'onnx', 'round-trips'] as const;
export type Phase = (typeof PHASES)[number];

export interface SandboxArgs {
  phases: Phase[];
  /** How long each fixture-engine set-up is measured under steady load, after `warmup` checked flows. */
  seconds: number;
  warmup: number;
  concurrency: number;
  /** Api instances of each `apis` set-up (each beside one worker). */
  apis: number[];
  onnxSeconds: number;
  onnxWarmup: number;
  onnxConcurrency: number;
  /** Inference threads per worker process (`--onnx-workers`). */
  onnxThreads: string;
  /** Status polls honour Retry-After (whole seconds) but never wait longer than this. */
  pollCapMs: number;
  /** Scoring jobs at once of the fixture set-ups (`processing.concurrency`; auto: the server's default). */
  processingConcurrency: number | 'auto';
  /** `--database-pool-size` of every instance; undefined: the server's default. */
  databasePoolSize: number | undefined;
  /** Closed-loop status pollers against one instance while flows run (0: no poll probe). */
  pollers: number;
  pollSeconds: number;
  censusSeconds: number;
  requestTimeoutMs: number;
  /** Where the bench makes its databases (a PostgreSQL on this machine: its backends' CPU is read from /proc). */
  postgresUrl: string;
  timeLimitMs: number;
  json: boolean;
}

export const USAGE = `npm run bench:sandbox -- [options]

The shared sandbox under load: complete partner flows through \`facematch-mock serve\` processes
(children of the bench, on 127.0.0.1) over an in-memory store and over PostgreSQL. Phases:

  store        fixture engine, one --role all process: memory store, then PostgreSQL (the price of
               durability); each followed by a status-poll probe under load
  apis         fixture engine, PostgreSQL: N --role api instances + 1 --role worker, for each N of
               --apis, every request of a flow to the next api instance (the bench is the load balancer)
  onnx         onnx engine (when models/onnx/ exists), PostgreSQL: 1 api + 1 worker, then 1 api + 2 workers
  round-trips  round trips to PostgreSQL per flow, counted on the wire through a relay (a pass of its
               own, the same load): one --role all process, 1 api + 1 worker, and the most api
               instances of --apis + 1 worker

  --phases LIST            comma-separated phases to run (default ${PHASES.join(',')})
  --seconds S              how long each fixture set-up is measured, once its load is steady (default 15)
  --warmup W               flows run and checked before the load, not in the figures (default 30)
  --concurrency C          flows in flight at once, a new one as soon as one ends (default 64; with
                           Retry-After honoured a flow takes over a second, so C in flight carry at
                           most about C flows/s: compare the cores busy before reading flows/s as a
                           limit of the servers)
  --apis LIST              api instance counts of the apis phase (default 1,2,3)
  --onnx-seconds S         how long each onnx set-up is measured (default 10)
  --onnx-warmup W          (default 4)
  --onnx-concurrency C     (default 16)
  --onnx-threads auto|N    inference threads per worker process, --onnx-workers (default 1, so that
                           1 and 2 workers are 1 and 2 threads)
  --poll-cap-ms MS         cap on the Retry-After wait between a flow's status polls (default 1000:
                           Retry-After honoured, as partner backends do)
  --processing-concurrency auto|N
                           scoring jobs at once (processing.concurrency) of the fixture set-ups
                           (default 8; auto is the server's default, 2 with the fixture engine: a
                           PostgreSQL worker then finishes at most 2 jobs per job time, whatever its
                           cores); onnx set-ups use auto
  --database-pool-size N   every instance's --database-pool-size (default: the server's, 10); lower it
                           on a PostgreSQL whose max_connections other work is using up
  --pollers K              closed-loop status pollers of the poll probe, 0 for none (default 4)
  --poll-seconds S         length of each poll probe (default 8)
  --census-seconds S       how long each round-trip census counts, under the same load (default 8)
  --request-timeout-ms MS  each HTTP request's own limit (default 10000)
  --postgres URL           PostgreSQL on this machine where the bench creates (and drops) its databases
                           (default postgres://postgres@127.0.0.1:5432/postgres)
  --time-limit-s S         hard limit for the whole run; past it the bench reports what it has and
                           exits 1 (default 480)
  --json                   also print one machine-readable JSON line at the end
  -h, --help               this text

Exit code 0 when every flow passed, no callback was lost and every server stopped cleanly; 1
otherwise (time limit included); 2 for bad options. Progress on stderr, the report on stdout.
`;

export function parseSandboxArgs(argv: string[]): SandboxArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      phases: { type: 'string', default: PHASES.join(',') },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '30' },
      concurrency: { type: 'string', default: '64' },
      apis: { type: 'string', default: '1,2,3' },
      'onnx-seconds': { type: 'string', default: '10' },
      'onnx-warmup': { type: 'string', default: '4' },
      'onnx-concurrency': { type: 'string', default: '16' },
      'onnx-threads': { type: 'string', default: '1' },
      'poll-cap-ms': { type: 'string', default: '1000' },
      'processing-concurrency': { type: 'string', default: '8' },
      'database-pool-size': { type: 'string' },
      pollers: { type: 'string', default: '4' },
      'poll-seconds': { type: 'string', default: '8' },
      'census-seconds': { type: 'string', default: '8' },
      'request-timeout-ms': { type: 'string', default: '10000' },
      postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
      'time-limit-s': { type: 'string', default: '480' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const phases = values.phases.split(',').map((p) => p.trim());
  for (const phase of phases) {
    if (!(PHASES as readonly string[]).includes(phase))
      throw new Error(`--phases: unknown phase "${phase}" (phases: ${PHASES.join(', ')})`);
  }
  if (!/^(auto|[1-9]\d*)$/.test(values['onnx-threads']))
    throw new Error(`--onnx-threads must be auto or a whole number ≥ 1, got "${values['onnx-threads']}"`);
  const postgres = new URL(values.postgres);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(postgres.hostname))
    throw new Error(
      `--postgres must be on this machine (127.0.0.1): the bench reads its backends' CPU from /proc, got ${postgres.hostname}`,
    );
  return {
    phases: phases as Phase[],
    seconds: integer(values.seconds, '--seconds', 1),
    warmup: integer(values.warmup, '--warmup', 0),
    concurrency: integer(values.concurrency, '--concurrency', 1),
    apis: values.apis.split(',').map((n) => integer(n.trim(), '--apis', 1)),
    onnxSeconds: integer(values['onnx-seconds'], '--onnx-seconds', 1),
    onnxWarmup: integer(values['onnx-warmup'], '--onnx-warmup', 0),
    onnxConcurrency: integer(values['onnx-concurrency'], '--onnx-concurrency', 1),
    onnxThreads: values['onnx-threads'],
    pollCapMs: integer(values['poll-cap-ms'], '--poll-cap-ms', 0),
    processingConcurrency:
      values['processing-concurrency'] === 'auto'
        ? 'auto'
        : integer(values['processing-concurrency'], '--processing-concurrency', 1),
    databasePoolSize:
      values['database-pool-size'] === undefined
        ? undefined
        : integer(values['database-pool-size'], '--database-pool-size', 2),
    pollers: integer(values.pollers, '--pollers', 0),
    pollSeconds: integer(values['poll-seconds'], '--poll-seconds', 1),
    censusSeconds: integer(values['census-seconds'], '--census-seconds', 1),
    requestTimeoutMs: integer(values['request-timeout-ms'], '--request-timeout-ms', 1),
    postgresUrl: values.postgres,
    timeLimitMs: integer(values['time-limit-s'], '--time-limit-s', 1) * 1000,
    json: values.json,
  };
}
