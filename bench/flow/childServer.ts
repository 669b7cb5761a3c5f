import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/facematch-mock.js', import.meta.url));

export interface ChildServer {
  /** The server's process id (its memory can be read from /proc while it runs). */
  pid: number | undefined;
  /** Resolves with the base URL once /readyz answers 200. */
  ready(signal: AbortSignal, timeoutMs: number): Promise<string>;
  /** Set when the process ended before stop() was called: the server crashed. */
  unexpectedExit(): string | undefined;
  /** Lines the server wrote to stderr (warnings and errors of its own). */
  stderrLines: string[];
  /** SIGTERM, then SIGKILL if it has not exited in time; safe to call twice. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }>;
}

/**
 * The real CLI in its own process, so the bench measures the server as a
 * partner meets it (its own event loop, its own GC) and not an in-process app
 * sharing a loop with the load generator.
 */
export function spawnChildServer(
  config: object,
  engine: string,
  nodeArgs: string[] = [],
  serveArgs: string[] = [],
  /** Another build's entry point (e.g. a copy of dist/ at `dist-before/cli/entry.js`); default the CLI. */
  cli: string = CLI,
  /**
   * A port chosen beforehand (default 0, a free one): with `--public-url` the banner names the
   * public URL, not this instance's own address, so readiness is asked of 127.0.0.1:port instead.
   */
  port = 0,
): ChildServer {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-bench-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // FACEMATCH_* variables of the shell would override the config file; the bench
  // must measure the configuration it prints, not whatever the shell exported.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FACEMATCH_')));
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      cli,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--config',
      configFile,
      '--engine',
      engine,
      ...serveArgs,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stdout = '';
  const stderrLines: string[] = [];
  let stopping = false;
  let crash: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      if (!stopping) crash = `server exited unexpectedly (code ${code}, signal ${signal})`;
      resolve({ code, signal });
    });
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < 64 * 1024) stdout += chunk;
  });
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) stderrLines.push(line);
  });

  let stopped: ReturnType<ChildServer['stop']> | undefined;
  return {
    pid: child.pid,
    stderrLines,
    unexpectedExit: () => crash,
    ready: (signal, timeoutMs) =>
      waitUntilReady(
        child,
        () => stdout,
        stderrLines,
        signal,
        timeoutMs,
        port ? `http://127.0.0.1:${port}` : undefined,
      ),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        let forced = false;
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => {
            forced = true;
            child.kill('SIGKILL');
          }, 5000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
        return { ...(await exited), forced };
      })();
      return stopped;
    },
  };
}

async function waitUntilReady(
  child: ChildProcess,
  stdout: () => string,
  stderrLines: string[],
  signal: AbortSignal,
  timeoutMs: number,
  ownUrl: string | undefined,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const failure = (why: string) =>
    new Error(`${why}\n--- server stdout ---\n${stdout()}\n--- server stderr ---\n${stderrLines.join('\n')}`);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw failure('the server exited during start-up');
    if (signal.aborted) throw failure('time limit reached while the server was starting');
    if (Date.now() > deadline) throw failure(`the server was not ready after ${timeoutMs} ms`);
    const url = ownUrl ?? /listening on (http:\/\/\S+)/.exec(stdout())?.[1];
    if (url) {
      const ready = await fetch(`${url}/readyz`, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
      }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return url;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
