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
