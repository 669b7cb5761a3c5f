import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/ConfigError.ts';
import type { Config } from '../config/configSchema.ts';
import { createApp } from '../http/createApp.ts';
import { adminExposureWarning } from './adminExposureWarning.ts';
import { chooseEngine } from './chooseEngine.ts';
import { type ComposedServer, composeServices, type Logger } from './composeServices.ts';
import { defaultPublicUrl } from './defaultPublicUrl.ts';

export interface RunningServer {
  server: Server;
  url: string;
  composed: ComposedServer;
  stop(): Promise<void>;
}

/** Starts listening, resumes unfinished work, and stops cleanly on SIGINT/SIGTERM. */
export async function startServer(
  config: Config,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  options: { handleSignals?: boolean } = { handleSignals: true },
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
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, config)));
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = config.publicUrl ?? defaultPublicUrl(config.host, port);
  const engine = await chooseEngine(config, log.warn);
  const composed = await composeServices({ ...config, publicUrl: url }, engine, log);
  server.on('request', createApp(composed.services));
  const resumed = await composed.resume();
  log.info(banner(config, url, engine.name, resumed));
  const exposure = adminExposureWarning(config.host, config.admin.token);
  if (exposure) log.warn(exposure);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.close();
    })();
    return stopping;
  };
  if (options.handleSignals) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log.info(`${signal}: finishing running jobs, then exiting`);
        server.closeAllConnections?.();
        void stop().then(() => process.exit(0));
      });
    }
  }
  return { server, url, composed, stop };
}

function banner(
  config: Config,
  url: string,
  engine: string,
  resumed: { submissions: number; callbacks: number },
): string {
  const partners = config.partners
    .map((p) => `    ${p.clientId} / ${p.clientSecret}   webhook secret ${p.webhookSecret}`)
    .join('\n');
  return [
    `facematch-mock listening on ${url} (engine: ${engine}${config.dataDir ? `, data dir: ${config.dataDir}` : ', in memory'})`,
    `  API reference: ${url}/docs   OpenAPI: ${url}/openapi.json`,
    `  Admin API: ${url}/__admin/openapi.json (${config.admin.token ? 'admin token required' : 'open'})   Metrics: ${url}/metrics`,
    '  Partners (client id / secret):',
    partners,
    resumed.submissions || resumed.callbacks
      ? `  Resumed ${resumed.submissions} submission(s) and ${resumed.callbacks} callback delivery(ies) from the data dir.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
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
