import { ConfigError } from '../config/ConfigError.ts';
import { runServeCommand } from './serveCommand.ts';

const USAGE = `facematch-mock — a self-hosted mock of the Face Match partner API

Usage:
  facematch-mock serve [options]                 start the server (see: facematch-mock serve --help)
  facematch-mock score <selfie> <document>       score two images (see: facematch-mock score --help)
  facematch-mock verify <pact files|folders>     verify your consumer pacts against a fresh mock (see: verify --help)
  facematch-mock check-webhook <url> --secret S  test your callback receiver (see: check-webhook --help)
  facematch-mock check-pact <pact files|folders> check pacts against the OpenAPI document, offline
  facematch-mock --help | --version
`;

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Returns the exit code; a server keeps the process alive by itself. */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServeCommand(rest, io);
      case 'score': {
        const { runScoreCommand } = await import('./scoreCommand.ts');
        return await runScoreCommand(rest, io);
      }
      case 'verify': {
        const { runVerifyCommand } = await import('./verifyCommand.ts');
        return await runVerifyCommand(rest, io);
      }
      case 'check-webhook': {
        const { runCheckWebhookCommand } = await import('./checkWebhookCommand.ts');
        return await runCheckWebhookCommand(rest, io);
      }
      case 'check-pact': {
        const { runCheckPactCommand } = await import('./checkPactCommand.ts');
        return await runCheckPactCommand(rest, io);
      }
      case '--version':
      case '-v': {
        const { VERSION } = await import('../app/projectFiles.ts');
        io.stdout.write(`${VERSION}\n`);
        return 0;
      }
      case undefined:
        // A script that forgot its command must not pass as if the mock had run.
        io.stderr.write(USAGE);
        return 2;
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return 0;
      default:
        io.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    // Anything else is ours or the machine's (a data dir that cannot be read, a model that fails
    // to load): say so plainly, with the stack for the bug report, and exit instead of lingering.
    io.stderr.write(
      `facematch-mock ${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
