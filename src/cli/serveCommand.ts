import { parseArgs } from 'node:util';
import { startServer } from '../app/startServer.ts';
import type { ConfigOverrides } from '../config/ConfigOverrides.ts';
import {
  ENV_VARIABLES,
  parseChoice,
  parseCount,
  parseHostList,
  parsePort,
  parseSeconds,
  parseWorkers,
} from '../config/configFromEnv.ts';
import type { Config } from '../config/configSchema.ts';
import { loadConfig } from '../config/loadConfig.ts';
import type { Io } from './main.ts';
import { parseCommandOptions } from './parseCommandOptions.ts';

const HELP = `facematch-mock serve — start the mock Face Match API

Options (flags win over FACEMATCH_* env variables, which win over the config file):
  --port N                 port to listen on (default 8080; 0 picks a free one)
  --host ADDR              interface to listen on (default 127.0.0.1; use 0.0.0.0 in a container)
  --public-url URL         base URL for presigned uploads and Location headers (default http://<host>:<port>;
                           with --host 0.0.0.0 or ::, http://localhost:<port>)
  --engine auto|fixture|onnx
                           scoring engine (default auto: onnx when the models are installed)
  --onnx-workers auto|N   inference worker threads of the onnx engine, each with its own models
                           (~110 MB); default auto: one per core
  --data-dir DIR           persist submissions, images and callback logs; a restart resumes work
  --database-url URL       postgres://…: keep the state in PostgreSQL, shared by every instance given
                           the same URL (the shared sandbox; needs --admin-token)
  --database-pool-size N   connections this instance keeps to the database (default 10)
  --role all|api|worker    all: the whole sandbox (default); api: answers HTTP and enqueues work;
                           worker: scores and sends callbacks, serving only /healthz, /readyz and
                           /metrics on --port (api and worker need --database-url)
  --config FILE            JSON or YAML config: partners, thresholds, timings (default: the two demo partners)
  --drain-seconds N        on SIGTERM/SIGINT, wait up to N s for in-flight requests, scoring jobs and
                           callback attempts before exiting (default 10; a second signal exits at once)
  --clock real|frozen      start every partner's test clock in real time (default) or frozen;
                           advance one with POST /__admin/partners/{clientId}/clock
  --scenarios DIR          your own scenario YAML files, beside the built-ins (fixtures/scenarios/)
  --validate-responses off|log|enforce
                           check our own responses against the OpenAPI document (default off)
  --callback-policy auto|public-only|allow-private
                           which receivers callbacks may reach: auto (default) allows loopback and
                           private addresses only while --host is loopback; link-local/metadata
                           addresses and the mock's own /__admin, /metrics and /bucket never
  --admin-token TOKEN      require \`Authorization: Bearer TOKEN\` on /__admin and /metrics (default: open)
  --admin-allowed-hosts NAMES
                           comma-separated host names /__admin, /metrics and /ui answer to besides
                           localhost, IP addresses and the public URL's host (.example.com: every
                           name under it; * turns the DNS-rebinding check off, unsafe)
  -h, --help               this text

Environment:
${Object.entries(ENV_VARIABLES)
  .map(([name, what]) => `  ${name.padEnd(31)}${what}`)
  .join('\n')}
`;

const ENGINES = ['auto', 'fixture', 'onnx'] as const satisfies readonly Config['engine'][];

export async function runServeCommand(argv: string[], io: Io): Promise<number> {
  const { values }: { values: Record<string, string | boolean | undefined> } = parseCommandOptions(
    'serve',
    () =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          'public-url': { type: 'string' },
          engine: { type: 'string' },
          'onnx-workers': { type: 'string' },
          'data-dir': { type: 'string' },
          config: { type: 'string' },
          'validate-responses': { type: 'string' },
          'drain-seconds': { type: 'string' },
          clock: { type: 'string' },
          scenarios: { type: 'string' },
          'admin-token': { type: 'string' },
          'admin-allowed-hosts': { type: 'string' },
          'database-url': { type: 'string' },
          'database-pool-size': { type: 'string' },
          role: { type: 'string' },
          'callback-policy': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }),
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const text = (name: string) => values[name] as string | undefined;
  const choice = <T extends string>(name: string, choices: readonly T[]): T | undefined => {
    const value = text(name);
    return value === undefined ? undefined : parseChoice(value, `--${name}`, choices);
  };
  const flags: ConfigOverrides = {
    configFile: text('config'),
    host: text('host'),
    port: text('port') === undefined ? undefined : parsePort(text('port') as string, '--port'),
    publicUrl: text('public-url'),
    engine: choice('engine', ENGINES),
    dataDir: text('data-dir'),
    validateResponses: choice('validate-responses', ['off', 'log', 'enforce'] as const),
    shutdown:
      text('drain-seconds') === undefined
        ? undefined
        : { drainSeconds: parseSeconds(text('drain-seconds') as string, '--drain-seconds') },
    clock: choice('clock', ['real', 'frozen'] as const),
    scenariosDir: text('scenarios'),
    adminToken: text('admin-token'),
    adminAllowedHosts:
      text('admin-allowed-hosts') === undefined
        ? undefined
        : parseHostList(text('admin-allowed-hosts') as string),
    onnxWorkers:
      text('onnx-workers') === undefined
        ? undefined
        : parseWorkers(text('onnx-workers') as string, '--onnx-workers'),
    databaseUrl: text('database-url'),
    databasePoolSize:
      text('database-pool-size') === undefined
        ? undefined
        : parseCount(text('database-pool-size') as string, '--database-pool-size'),
    role: choice('role', ['all', 'api', 'worker'] as const),
    callbackPolicy: choice('callback-policy', ['auto', 'public-only', 'allow-private'] as const),
  };
  const config = loadConfig({ flags });
  await startServer(config, io);
  return 0;
}
