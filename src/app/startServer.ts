import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolveHost } from '../callbacks/checkCallbackTarget.ts';
import { ConfigError } from '../config/ConfigError.ts';
import type { Config } from '../config/configSchema.ts';
import { answerNotReady } from '../http/answerNotReady.ts';
import {
  type ConnectionTimeouts,
  serverTimeoutOptions,
  timeOutIdleConnections,
} from '../http/connectionTimeouts.ts';
import { createApp } from '../http/createApp.ts';
import { createWorkerApp } from '../http/createWorkerApp.ts';
import { loadOnFirstUse } from '../scoring/loadOnFirstUse.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';
import { adminExposureWarning, anyHostWarning } from './adminExposureWarning.ts';
import { chooseEngine, expectedEngineName } from './chooseEngine.ts';
import { type ComposedServer, composeServices, type Logger } from './composeServices.ts';
import { defaultPublicUrl } from './defaultPublicUrl.ts';
import { DASHBOARD_DIR, VERSION } from './projectFiles.ts';

export interface RunningServer {
  server: Server;
  url: string;
  composed: ComposedServer;
  /** Stops at once: running jobs are cut (they stay PROCESSING for a resume with a data dir). */
  stop(): Promise<void>;
  /**
   * Graceful shutdown: stop accepting, let in-flight requests, jobs and callback
   * attempts finish within `shutdown.drainSeconds`, then stop. `drained` is
   * false when the drain time ran out and work was cut short.
   */
  drain(): Promise<{ drained: boolean }>;
}

/** Starts listening, resumes unfinished work, and drains on SIGINT/SIGTERM. */
export async function startServer(
  config: Config,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  /**
   * `engine`: a test's own, instead of the one the config chooses; `resolveHost`: how callback
   * host names are resolved (a test's own, instead of the system's).
   */
  options: { handleSignals?: boolean; engine?: ScoringEngine; resolveHost?: ResolveHost } = {
    handleSignals: true,
  },
): Promise<RunningServer> {
  const log: Logger = {
    info: (message) => io.stdout.write(`${message}\n`),
    warn: (message) => io.stderr.write(`warning: ${message}\n`),
    error: (message, error) =>
      io.stderr.write(
        `error: ${message}${error ? `: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` : ''}\n`,
      ),
  };
  // Listen first: with --port 0 the presigned URLs can only be built once the real port is known.
  // Until the app is attached the port answers 503 not-ready, never silence.
  const notReady = { version: VERSION, retryAfterSeconds: config.processing.retryAfterSeconds };
  let handle: RequestListener = (req, res) => answerNotReady(req, res, notReady);
  let draining = false;
  // A signal before the app is ready has nothing to drain: nothing was accepted yet.
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    log.info(`${signal} during start-up: exiting`);
    process.exit(0);
  };
  const signalled = (signal: NodeJS.Signals) => onSignal(signal);
  if (options.handleSignals) {
    process.on('SIGINT', signalled);
    process.on('SIGTERM', signalled);
  }
  const timeouts = connectionTimeoutsOf(config);
  const server = createServer(serverTimeoutOptions(timeouts), (req, res) => {
    // Keep-alive connections would otherwise carry new requests into a shutdown.
    if (draining) res.setHeader('Connection', 'close');
    handle(req, res);
  });
  timeOutIdleConnections(server, timeouts);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, config)));
    server.listen(config.port, config.host, () => resolve());
  });

  let composed: ComposedServer | undefined;
  let url: string;
  let underWay: { submissions: number; callbacks: number };
  let engineName: string;
  try {
    const { port } = server.address() as AddressInfo;
    url = config.publicUrl ?? defaultPublicUrl(config.host, port);
    // An api instance scores only the synchronous module's requests: its models load when one comes.
    const engine =
      options.engine ??
      (config.role === 'api'
        ? loadOnFirstUse(expectedEngineName(config), () => chooseEngine(config, log.warn))
        : await chooseEngine(config, log.warn));
    engineName = engine.workers ? `${engine.name} on ${engine.workers} worker thread(s)` : engine.name;
    // The port really listened on (--port 0 picks one): the callback policy refuses this server's own admin and bucket paths by it.
    composed = await composeServices(
      { ...config, port, publicUrl: url },
      engine,
      log,
      undefined,
      options.resolveHost,
    );
    // Work first: what a previous process left due runs, and no request races its resumption.
    if (config.role !== 'api') await composed.startWork();
    underWay =
      composed.store.kind === 'directory'
        ? {
            submissions: (await composed.store.submissions.list({ status: 'PROCESSING' })).length,
            callbacks: (await composed.store.deliveries.list({ state: 'pending' })).length,
          }
        : { submissions: 0, callbacks: 0 };
    handle = config.role === 'worker' ? createWorkerApp(composed.services) : createApp(composed.services);
  } catch (error) {
    // A half-started server must not linger with an open port: the caller exits non-zero.
    server.closeAllConnections();
    server.close();
    await composed?.close().catch(() => undefined);
    throw error;
  }
  const ready = composed;
  log.info(banner(config, url, engineName, underWay));
  const exposure = adminExposureWarning(config.host, config.admin.token);
  if (exposure) log.warn(exposure);
  const anyHost = anyHostWarning(config.admin.allowedHosts);
  if (anyHost) log.warn(anyHost);
  if (config.store.databaseUrl && config.role !== 'worker' && !config.publicUrl && !config.tokens.issuer) {
    log.warn(
      `this instance issues tokens and presigned URLs for ${url}, its own address: give every instance of the shared sandbox the URL partners reach them by (--public-url, e.g. the load balancer's), or tokens issued here are refused by the others`,
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ready.close();
    })();
    return stopping;
  };

  let shutdown: Promise<{ drained: boolean }> | undefined;
  const drain = () => {
    shutdown ??= (async () => {
      draining = true;
      const deadline = AbortSignal.timeout(config.shutdown.drainSeconds * 1000);
      // Scoring due before the deadline still runs (with a margin for the callback that follows it).
      const until = new Date(Date.now() + Math.max(0, config.shutdown.drainSeconds * 1000 - 1000));
      const connectionsClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Jobs and callback attempts start draining now; in-flight requests may still add work.
      const work = ready.drain(until);
      // Work that falls due later is not waited for: the store keeps it for the next start or another instance.
      const drained =
        (await beforeDeadline(connectionsClosed, deadline)) && (await beforeDeadline(work, deadline));
      if (!drained) {
        log.warn(
          `drain time of ${config.shutdown.drainSeconds} s ran out: cutting open connections and running jobs` +
            (config.dataDir
              ? ' (they resume from the data dir on the next start)'
              : ' (lost: no --data-dir)'),
        );
      }
      await stop();
      return { drained };
    })();
    return shutdown;
  };

  if (options.handleSignals) {
    onSignal = (signal: NodeJS.Signals) => {
      if (shutdown) {
        log.warn(`${signal} again: exiting now without waiting for in-flight work`);
        process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      }
      log.info(
        `${signal}: not accepting new connections; finishing in-flight requests, jobs and callback attempts (up to ${config.shutdown.drainSeconds} s), then exiting. Send it again to exit at once.`,
      );
      void drain().then(
        ({ drained }) => {
          log.info(
            drained ? 'drained: every in-flight request, job and callback attempt finished' : 'stopped',
          );
          process.exit(0);
        },
        (error: unknown) => {
          log.error('shutdown failed', error);
          process.exit(1);
        },
      );
    };
  }
  return { server, url, composed: ready, stop, drain };
}

/** True when `work` settled before the deadline. */
async function beforeDeadline(work: Promise<unknown>, deadline: AbortSignal): Promise<boolean> {
  if (deadline.aborted) return false;
  let onAbort = () => {};
  const timedOut = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
}

function banner(
  config: Config,
  url: string,
  engine: string,
  underWay: { submissions: number; callbacks: number },
): string {
  const where = config.store.databaseUrl
    ? `store: PostgreSQL at ${databaseName(config.store.databaseUrl)}, role: ${config.role}`
    : config.dataDir
      ? `data dir: ${config.dataDir}`
      : 'in memory';
  if (config.role === 'worker') {
    return `facematch-mock worker listening on ${url} (engine: ${engine}, ${where}): scoring and callbacks; serving /healthz, /readyz and /metrics`;
  }
  const partners = config.partners
    .map((p) => `    ${p.clientId} / ${p.clientSecret}   webhook secret ${p.webhookSecret}`)
    .join('\n');
  return [
    `facematch-mock listening on ${url} (engine: ${engine}, ${where})`,
    `  API reference: ${url}/docs   OpenAPI: ${url}/openapi.json`,
    `  Admin API: ${url}/__admin/openapi.json (${config.admin.token ? 'admin token required' : 'open'})   Metrics: ${url}/metrics`,
    `  Dashboard: ${url}/ui${existsSync(`${DASHBOARD_DIR}index.html`) ? '' : ' (not built: run `npm run build`)'}`,
    '  Partners (client id / secret):',
    partners,
    underWay.submissions || underWay.callbacks
      ? `  Resumed ${underWay.submissions} submission(s) and ${underWay.callbacks} callback delivery(ies) from the data dir.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** host:port/database of a connection URL: never its user or password, which would end up in logs. */
function databaseName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname}`;
}

function connectionTimeoutsOf(config: Config): ConnectionTimeouts {
  const c = config.connections;
  return {
    headersTimeoutMs: c.headersTimeoutSeconds * 1000,
    bodyIdleTimeoutMs: c.bodyIdleTimeoutSeconds * 1000,
    requestTimeoutMs: c.requestTimeoutSeconds * 1000,
    idleTimeoutMs: c.idleTimeoutSeconds * 1000,
    keepAliveTimeoutMs: c.keepAliveTimeoutSeconds * 1000,
  };
}

/** The usual reasons a port cannot be had, said in terms of the flags that fix them. */
function listenError(error: NodeJS.ErrnoException, config: Config): Error {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE')
    return new ConfigError(`${where} is already in use: stop the other server or pass --port.`);
  if (error.code === 'EACCES')
    return new ConfigError(`Not allowed to listen on ${where}: pick a port above 1023 with --port.`);
  if (error.code === 'EADDRNOTAVAIL')
    return new ConfigError(`${config.host} is not an address of this machine: check --host.`);
  return error;
}
