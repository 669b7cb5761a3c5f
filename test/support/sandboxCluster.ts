import { freePort, type ServerProcess, startServerProcess } from './serverProcess.ts';

/** How long an instance may take to say it listens (through tsx, with five starting on two cores). */
const START_TIMEOUT_MS = 45_000;

/** One `facematch-mock serve` of a shared sandbox, on a port of its own that it keeps across restarts. */
export interface ClusterInstance {
  /** `api-1`, `worker-2`…: how messages name it. */
  name: string;
  role: 'api' | 'worker';
  url: string;
  /** The process running now (a new one after `restart`). */
  current(): ServerProcess;
  /** What every process this instance has been wrote, oldest first, each headed by its pid. */
  output(): string;
  /** kill -9: no drain, no goodbye to the database; resolves once the process has ended. */
  killHard(): Promise<void>;
  /** Starts it again on the same port with the same flags; resolves once it listens. */
  restart(): Promise<void>;
  /** Processes of this instance that ended without being killed: how, and the end of what they wrote. */
  diedOnTheirOwn(): string[];
}

export interface SandboxCluster {
  apis: ClusterInstance[];
  workers: ClusterInstance[];
  all: ClusterInstance[];
  /** Kills every process still running (SIGKILL) and waits for each to end. */
  stop(): Promise<void>;
}

/** A promise that rejects, naming `what`, when `ms` pass first. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `apis` instances with `--role api` and `workers` with `--role worker`, all on one database:
 * the shared sandbox as an operator runs it, every instance its own process (so a kill -9 is one).
 * `args` are the flags every instance gets (database URL, admin token, config…).
 */
export async function startSandboxCluster(p: {
  apis: number;
  workers: number;
  args: string[];
}): Promise<SandboxCluster> {
  const all: ClusterInstance[] = [];
  const roles = [
    ...Array.from({ length: p.apis }, (_, i) => ['api', i + 1] as const),
    ...Array.from({ length: p.workers }, (_, i) => ['worker', i + 1] as const),
  ];
  for (const [role, n] of roles) all.push(clusterInstance(`${role}-${n}`, role, await freePort(), p.args));
  const cluster: SandboxCluster = {
    apis: all.filter((instance) => instance.role === 'api'),
    workers: all.filter((instance) => instance.role === 'worker'),
    all,
    async stop() {
      await Promise.all(all.map((instance) => instance.killHard()));
    },
  };
  // Side by side, as an orchestrator starts them: their migrations meet on the database's lock.
  const started = await Promise.allSettled(
    all.map((instance) =>
      within(instance.current().ready(), START_TIMEOUT_MS, `${instance.name} starting`).catch(
        (error: unknown) => {
          throw new Error(`${(error as Error).message}\n${instance.output()}`);
        },
      ),
    ),
  );
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await cluster.stop();
    throw failed.reason;
  }
  return cluster;
}

function clusterInstance(
  name: string,
  role: 'api' | 'worker',
  port: number,
  args: string[],
): ClusterInstance {
  const flags = ['--port', String(port), '--role', role, ...args];
  const past: ServerProcess[] = [];
  const killed = new Set<ServerProcess>();
  const died: string[] = [];
  const start = () => {
    const started = startServerProcess(flags);
    void started.exited.then((how) => {
      if (killed.has(started)) return;
      const tail = started.output().split('\n').slice(-40).join('\n');
      died.push(`${name} (pid ${started.child.pid}) ended by itself (${how}); its last words:\n${tail}`);
    });
    return started;
  };
  let running = start();
  const instance: ClusterInstance = {
    name,
    role,
    url: running.url,
    current: () => running,
    output: () =>
      [...past, running].map((each) => `--- ${name} pid ${each.child.pid}\n${each.output()}`).join('\n'),
    diedOnTheirOwn: () => [...died],
    async killHard() {
      killed.add(running);
      running.kill();
      await within(running.exited, 10_000, `${name} (pid ${running.child.pid}) ending after SIGKILL`);
    },
    async restart() {
      await instance.killHard();
      past.push(running);
      running = start();
      await within(running.ready(), START_TIMEOUT_MS, `${name} restarting`).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n${running.output()}`);
      });
    },
  };
  return instance;
}
