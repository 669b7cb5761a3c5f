import { spawn } from 'node:child_process';
import { processTreeUsage } from './processTreeUsage.ts';

export interface StartSample {
  /** From spawn to the first 200 on /readyz. */
  readyMs: number;
  /** Resident memory of the process and its children right after that 200. */
  rssMiB: number;
  /** CPU time (user + system) the process and its children spent until then. */
  cpuMs: number;
  /** Whatever the process wrote to stderr before it was ready. */
  stderr: string;
}

const POLL_EVERY_MS = 10;
/** Early connections may be accepted and never answered; each attempt gives up quickly and tries again. */
const ATTEMPT_TIMEOUT_MS = 250;

/**
 * Starts `node ...args`, polls GET /readyz on the port until it answers 200, records the time and
 * the memory, then stops the process with SIGTERM (SIGKILL if it lingers).
 */
export async function measureStart(
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<StartSample> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 16 * 1024) stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n${stderr}`,
        );
      if (performance.now() - started > timeoutMs)
        throw new Error(`not ready after ${timeoutMs} ms\n${stderr}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`, {
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      if (status === 200) {
        const readyMs = performance.now() - started;
        const usage = processTreeUsage(child.pid as number);
        return { readyMs, rssMiB: usage.rssBytes / 2 ** 20, cpuMs: usage.cpuMs, stderr };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    }
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
  }
}
