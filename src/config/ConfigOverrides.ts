import type { Config } from './configSchema.ts';

/** The settings that env variables and CLI flags may override. */
export interface ConfigOverrides {
  configFile?: string;
  host?: string;
  port?: number;
  publicUrl?: string;
  engine?: Config['engine'];
  dataDir?: string;
  validateResponses?: Config['validateResponses'];
  shutdown?: Config['shutdown'];
  clock?: Config['clock'];
  scenariosDir?: string;
  /** `admin.token`: the bearer token the admin API and /metrics require. */
  adminToken?: string;
  /** `admin.allowedHosts`: more names the admin API and the dashboard answer to. */
  adminAllowedHosts?: string[];
  /** `onnx.workers`: inference worker threads, auto or a number. */
  onnxWorkers?: 'auto' | number;
  /** `store.databaseUrl`: PostgreSQL for a shared sandbox. */
  databaseUrl?: string;
  /** `store.poolSize`. */
  databasePoolSize?: number;
  role?: Config['role'];
  /** `callbacks.policy`: which receivers callbacks may reach. */
  callbackPolicy?: Config['callbacks']['policy'];
}
