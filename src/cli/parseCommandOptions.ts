import { ConfigError } from '../config/ConfigError.ts';

/**
 * Runs a command's option parser; a refused option becomes a ConfigError (exit 2, no stack) that
 * says where the command's options are listed.
 */
export function parseCommandOptions<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ConfigError(
      `${(error as Error).message}\nRun \`facematch-mock ${command} --help\` for the options.`,
    );
  }
}
