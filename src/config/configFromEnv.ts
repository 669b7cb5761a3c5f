import { ConfigError } from './ConfigError.ts';
import type { ConfigOverrides } from './ConfigOverrides.ts';
import type { Config } from './configSchema.ts';

export const ENV_VARIABLES = {
  FACEMATCH_CONFIG: 'config file path',
  FACEMATCH_HOST: 'interface to listen on',
  FACEMATCH_PORT: 'port to listen on (PORT is also read)',
  FACEMATCH_PUBLIC_URL: 'base URL handed out in presigned URLs and Location headers',
  FACEMATCH_ENGINE: 'auto | fixture | onnx',
  FACEMATCH_ONNX_WORKERS: 'auto | N: inference worker threads of the onnx engine (auto: one per core)',
  FACEMATCH_DATA_DIR: 'directory that persists submissions, images and callback logs',
  FACEMATCH_VALIDATE_RESPONSES: 'off | log | enforce',
  FACEMATCH_DRAIN_SECONDS: 'seconds a SIGTERM waits for in-flight work (default 10)',
  FACEMATCH_CLOCK: 'real | frozen: how every partner test clock starts',
  FACEMATCH_SCENARIOS: 'directory of your own scenario YAML files',
  FACEMATCH_ADMIN_TOKEN: 'bearer token required by /__admin and /metrics (open when unset)',
  FACEMATCH_ADMIN_ALLOWED_HOSTS:
    'comma-separated host names /__admin and /ui answer to besides localhost, IPs and the public URL host',
  FACEMATCH_DATABASE_URL: 'postgres://… : state in PostgreSQL, shared by every instance (the shared sandbox)',
  FACEMATCH_DATABASE_POOL_SIZE: 'connections per instance to the database (default 10)',
  FACEMATCH_ROLE: 'all | api | worker: what this instance does (default all; api and worker need a database)',
  FACEMATCH_CALLBACK_POLICY:
    'auto | public-only | allow-private: which receivers callbacks may reach (default auto)',
} as const;

export function configFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const port = env.FACEMATCH_PORT ?? env.PORT;
  return {
    configFile: env.FACEMATCH_CONFIG || undefined,
    host: env.FACEMATCH_HOST || undefined,
    port: port ? parsePort(port, env.FACEMATCH_PORT ? 'FACEMATCH_PORT' : 'PORT') : undefined,
    publicUrl: env.FACEMATCH_PUBLIC_URL || undefined,
    engine: (env.FACEMATCH_ENGINE || undefined) as Config['engine'] | undefined,
    dataDir: env.FACEMATCH_DATA_DIR || undefined,
    clock: (env.FACEMATCH_CLOCK || undefined) as Config['clock'] | undefined,
    scenariosDir: env.FACEMATCH_SCENARIOS || undefined,
    validateResponses: (env.FACEMATCH_VALIDATE_RESPONSES || undefined) as
      | Config['validateResponses']
      | undefined,
    shutdown: env.FACEMATCH_DRAIN_SECONDS
      ? { drainSeconds: parseSeconds(env.FACEMATCH_DRAIN_SECONDS, 'FACEMATCH_DRAIN_SECONDS') }
      : undefined,
    adminToken: env.FACEMATCH_ADMIN_TOKEN || undefined,
    adminAllowedHosts: env.FACEMATCH_ADMIN_ALLOWED_HOSTS
      ? parseHostList(env.FACEMATCH_ADMIN_ALLOWED_HOSTS)
      : undefined,
    onnxWorkers: env.FACEMATCH_ONNX_WORKERS
      ? parseWorkers(env.FACEMATCH_ONNX_WORKERS, 'FACEMATCH_ONNX_WORKERS')
      : undefined,
    databaseUrl: env.FACEMATCH_DATABASE_URL || undefined,
    databasePoolSize: env.FACEMATCH_DATABASE_POOL_SIZE
      ? parseCount(env.FACEMATCH_DATABASE_POOL_SIZE, 'FACEMATCH_DATABASE_POOL_SIZE')
      : undefined,
    role: (env.FACEMATCH_ROLE || undefined) as Config['role'] | undefined,
    callbackPolicy: (env.FACEMATCH_CALLBACK_POLICY || undefined) as Config['callbacks']['policy'] | undefined,
  };
}

/** `a.example, .lan`: names separated by commas; each is checked by the schema, naming the field. */
export function parseHostList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function parseWorkers(value: string, source: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ConfigError(
      `${source} must be auto (one per core) or a number of workers, e.g. 2, got "${value}".`,
    );
  }
  return Number(value);
}

export function parseCount(value: string, source: string): number {
  if (!/^\d+$/.test(value))
    throw new ConfigError(`${source} must be a whole number, e.g. 10, got "${value}".`);
  return Number(value);
}

export function parseSeconds(value: string, source: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new ConfigError(`${source} must be a number of seconds, e.g. 10, got "${value}".`);
  }
  return Number(value);
}

/**
 * One of a flag's fixed values, refused with the flag named: the schema would name only the config
 * field and the file the defaults came from, which sends the user to a file they never wrote.
 */
export function parseChoice<T extends string>(value: string, source: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const listed =
    choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0];
  throw new ConfigError(`${source}: expected ${listed}, got "${value}".`);
}

export function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new ConfigError(`${source} must be a port number between 0 and 65535, got "${value}".`);
  }
  return port;
}
