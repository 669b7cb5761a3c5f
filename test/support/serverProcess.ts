import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/facematch-mock.js', import.meta.url));

/** A port that was free a moment ago: bind to 0, note the port, release it. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves once the banner says the server listens (it is ready then). */
  ready(): Promise<void>;
  kill(): void;
}

/** `facematch-mock serve` as a partner starts it: the installed bin, in its own process. */
export function startServerProcess(
  args: string[],
  env: Record<string, string> = {},
  /** Open files (descriptors) the process may hold, set with util-linux's prlimit (Linux only). */
  options: { fileLimit?: number } = {},
): ServerProcess {
  const port = args[args.indexOf('--port') + 1];
  const command = [process.execPath, CLI, 'serve', '--host', '127.0.0.1', ...args];
  // prlimit execs the command, so the child's pid is the server's own.
  if (options.fileLimit !== undefined) command.unshift('prlimit', `--nofile=${options.fileLimit}`);
  const [program = process.execPath, ...programArgs] = command;
  const child = spawn(program, programArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners.splice(0)) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    async ready() {
      while (!/listening on/.test(output)) {
        const exitedFirst = await Promise.race([
          new Promise<false>((resolve) => listeners.push(() => resolve(false))),
          exited.then(() => true),
        ]);
        if (exitedFirst) throw new Error(`the server exited before it was ready:\n${output}`);
      }
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
