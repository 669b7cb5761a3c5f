import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { benchConfig } from '../flow/benchConfig.ts';
import { type ChildServer, spawnChildServer } from '../flow/childServer.ts';

export type Role = 'all' | 'api' | 'worker';

/** One way to run the sandbox: a store, and how many processes of which role. */
export interface Topology {
  label: string;
  store: 'memory' | 'postgres';
  /** `all` alone, or api instances beside worker instances. */
  apis: number;
  workers: number;
  engine: 'fixture' | 'onnx';
  /** Inference threads per process (`--onnx-workers`), with the onnx engine. */
  onnxThreads?: string;
}

export interface Instance {
  role: Role;
  url: string;
  child: ChildServer;
}

export interface Sandbox {
  topology: Topology;
  instances: Instance[];
  /** The instances that answer partners (`all` or `api`). */
  front: Instance[];
  /**
   * The load balancer: each request to the next front instance in turn, whatever URL the server
   * handed out (its public URL, in presigned upload URLs too).
   */
  route(url: string): string;
  /** Set when an instance ended on its own. */
  crash(): string | undefined;
  stop(): Promise<StopOutcome[]>;
}

export interface StopOutcome {
  role: Role;
  crash?: string;
  forced: boolean;
  code: number | null;
  stderrLines: string[];
}

/**
 * What every instance is told partners reach it by: the load balancer's address. The bench is that
 * load balancer (`route`), so nothing ever connects here; `.invalid` never resolves, so a request
 * that forgot to be routed fails at once instead of reaching anything.
 */
export const PUBLIC_URL = 'http://load-balancer.invalid';
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the instances of a topology as separate `facematch-mock serve` processes on 127.0.0.1,
 * on ports chosen beforehand (with `--public-url` the banner names the public URL, not the port),
 * all with the same config, public URL and admin token. With PostgreSQL the first instance starts
 * alone (it migrates the database), the others together once it is ready.
 */
export async function startSandbox(
  topology: Topology,
  options: {
    callbackUrlFor: (clientId: string) => string;
    databaseUrl?: string;
    processingConcurrency: number | 'auto';
    databasePoolSize: number | undefined;
    signal: AbortSignal;
  },
): Promise<Sandbox> {
  const config = benchConfig({
    callbackUrlFor: options.callbackUrlFor,
    processingDelayMs: 0,
    processingConcurrency: options.processingConcurrency,
  });
  const adminToken = randomBytes(16).toString('hex');
  const roles: Role[] =
    topology.store === 'memory'
      ? ['all']
      : topology.workers === 0
        ? Array.from({ length: topology.apis }, () => 'all' as const)
        : [
            ...Array.from({ length: topology.apis }, () => 'api' as const),
            ...Array.from({ length: topology.workers }, () => 'worker' as const),
          ];
  if (topology.store === 'postgres' && !options.databaseUrl) throw new Error('PostgreSQL needs a database');
  const instances: Instance[] = [];
  const spawnOne = async (role: Role) => {
    const port = await freePort();
    const serveArgs = ['--public-url', PUBLIC_URL, '--admin-token', adminToken];
    if (options.databaseUrl) serveArgs.push('--database-url', options.databaseUrl, '--role', role);
    if (options.databaseUrl && options.databasePoolSize)
      serveArgs.push('--database-pool-size', String(options.databasePoolSize));
    if (topology.onnxThreads && role !== 'api') serveArgs.push('--onnx-workers', topology.onnxThreads);
    const child = spawnChildServer(config, topology.engine, [], serveArgs, undefined, port);
    const instance = { role, url: `http://127.0.0.1:${port}`, child };
    instances.push(instance);
    return instance;
  };
  const ready = (instance: Instance) =>
    instance.child.ready(options.signal, START_TIMEOUT_MS).catch((error: Error) => {
      throw new Error(`${instance.role} instance did not start: ${error.message}`);
    });
  try {
    const [first, ...rest] = roles;
    await ready(await spawnOne(first as Role));
    const others = await Promise.all(rest.map(spawnOne));
    await Promise.all(others.map(ready));
  } catch (error) {
    await Promise.all(instances.map((i) => i.child.stop()));
    throw error;
  }
  const front = instances.filter((i) => i.role !== 'worker');
  let next = 0;
  return {
    topology,
    instances,
    front,
    route(url) {
      const target = front[next++ % front.length] as Instance;
      const parsed = new URL(url);
      return `${target.url}${parsed.pathname}${parsed.search}`;
    },
    crash() {
      for (const i of instances) {
        const why = i.child.unexpectedExit();
        if (why) return `${i.role} instance: ${why}`;
      }
      return undefined;
    },
    stop: () =>
      Promise.all(
        instances.map(async (i) => {
          const crash = i.child.unexpectedExit();
          const stopped = await i.child.stop();
          return {
            role: i.role,
            ...(crash ? { crash } : {}),
            forced: stopped.forced,
            code: stopped.code,
            stderrLines: i.child.stderrLines,
          };
        }),
      ),
  };
}

/** A port nothing listens on right now (the kernel's choice), for an instance to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
