import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './ConfigError.ts';
import type { ConfigOverrides } from './ConfigOverrides.ts';
import { configFromEnv } from './configFromEnv.ts';
import { type Config, configSchema } from './configSchema.ts';

export const DEMO_CONFIG_PATH = resolve(dirname(fileURLToPath(import.meta.url)), 'demo.config.json');

export interface ConfigSources {
  /** Values from CLI flags; they win over everything. */
  flags?: ConfigOverrides;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place configuration is assembled, once, at start-up: defaults, then
 * the config file (the demo partners when none is named), then environment
 * variables, then CLI flags. The result is validated as a whole so every
 * mistake is reported with its source and field before the server listens.
 */
export function loadConfig({ flags = {}, env = process.env }: ConfigSources = {}): Config {
  const fromEnv = configFromEnv(env);
  const file = flags.configFile ?? fromEnv.configFile ?? DEMO_CONFIG_PATH;
  const fileValues = readConfigFile(file);
  const {
    configFile: _a,
    adminToken: envToken,
    adminAllowedHosts: envAllowedHosts,
    onnxWorkers: envWorkers,
    databaseUrl: envDatabaseUrl,
    databasePoolSize: envPoolSize,
    callbackPolicy: envCallbackPolicy,
    ...envValues
  } = fromEnv;
  const {
    configFile: _b,
    adminToken: flagToken,
    adminAllowedHosts: flagAllowedHosts,
    onnxWorkers: flagWorkers,
    databaseUrl: flagDatabaseUrl,
    databasePoolSize: flagPoolSize,
    callbackPolicy: flagCallbackPolicy,
    ...flagValues
  } = flags;
  const merged = { ...fileValues, ...definedOnly(envValues), ...definedOnly(flagValues) };
  // The nested overrides: merged into the file's section, not replacing it.
  const adminToken = flagToken ?? envToken;
  const allowedHosts = flagAllowedHosts ?? envAllowedHosts;
  if (adminToken !== undefined || allowedHosts !== undefined) {
    merged.admin = { ...asObject(fileValues.admin), ...definedOnly({ token: adminToken, allowedHosts }) };
  }
  const onnxWorkers = flagWorkers ?? envWorkers;
  if (onnxWorkers !== undefined) merged.onnx = { ...asObject(fileValues.onnx), workers: onnxWorkers };
  const databaseUrl = flagDatabaseUrl ?? envDatabaseUrl;
  const poolSize = flagPoolSize ?? envPoolSize;
  if (databaseUrl !== undefined || poolSize !== undefined) {
    merged.store = {
      ...asObject(fileValues.store),
      ...definedOnly({ databaseUrl, poolSize }),
    };
  }
  const callbackPolicy = flagCallbackPolicy ?? envCallbackPolicy;
  if (callbackPolicy !== undefined)
    merged.callbacks = { ...asObject(fileValues.callbacks), policy: callbackPolicy };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, file));
  return parsed.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read config file ${file}: ${(error as Error).message}. Check the --config path.`,
    );
  }
  let value: unknown;
  try {
    // YAML is a superset of JSON, so one parser takes both file styles.
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON or YAML: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`Config file ${file} must hold an object, e.g. { "partners": [ … ] }.`);
  }
  return value as Record<string, unknown>;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function describeIssues(error: z.ZodError, file: string): string {
  const lines = error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `  - ${field}: ${issue.message}`;
  });
  return `Invalid configuration (file ${file}, then FACEMATCH_* env, then flags):\n${lines.join('\n')}`;
}
