/**
 * The command-line shell every flow bench shares: parse the options, answer `--help`, and exit 2
 * with the parser's message and the usage for a bad option, so each script only says what it runs.
 */
export async function benchMain<A>(
  argv: string[],
  usage: string,
  parse: (argv: string[]) => A | 'help',
  run: (args: A) => Promise<number>,
): Promise<number> {
  let args: A | 'help';
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  return run(args);
}

export interface RunLimit {
  /** Aborted with 'time limit', or with 'interrupted' (SIGINT, SIGTERM) when `interruptible`. */
  signal: AbortSignal;
  /** Stops the run for another reason (a server that crashed). */
  abort(reason: string): void;
  /** The run is over: no more limit, no more signal handling. */
  clear(): void;
}

/**
 * The whole run's hard limit: the signal aborts after `ms`, so the bench stops its load and
 * reports what it has; should stopping itself hang, the process exits (3) `graceMs` later and its
 * exit hooks SIGKILL the servers. With `interruptible`, SIGINT and SIGTERM abort it the same way
 * (so the bench still stops its children and cleans up), and a second one exits at once (130).
 */
export function startRunLimit(ms: number, graceMs: number, interruptible = false): RunLimit {
  const halt = new AbortController();
  const limit = setTimeout(() => halt.abort('time limit'), ms);
  const backstop = setTimeout(() => {
    process.stderr.write(`bench: still running ${graceMs / 1000} s past the time limit; exiting hard\n`);
    process.exit(3);
  }, ms + graceMs);
  backstop.unref();
  const interrupt = (signal: NodeJS.Signals) => {
    if (halt.signal.aborted) {
      process.stderr.write(`bench: ${signal} again: exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`bench: ${signal}: stopping the servers and cleaning up (again to exit at once)\n`);
    halt.abort('interrupted');
  };
  if (interruptible) {
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
  }
  return {
    signal: halt.signal,
    abort: (reason) => halt.abort(reason),
    clear() {
      clearTimeout(limit);
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
    },
  };
}
