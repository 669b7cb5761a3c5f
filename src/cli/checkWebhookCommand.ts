import { parseArgs } from 'node:util';
import { parseWebhookSecret } from '../callbacks/webhookSecret.ts';
import { ConfigError } from '../config/ConfigError.ts';
import { loadConfig } from '../config/loadConfig.ts';
import { checkWebhookReceiver } from '../contract/checkWebhookReceiver.ts';
import { ReceiverUnreachable } from '../contract/ReceiverUnreachable.ts';
import type { Io } from './main.ts';
import { parseCommandOptions } from './parseCommandOptions.ts';

const HELP = `facematch-mock check-webhook — test your completion-callback receiver

Usage:
  facematch-mock check-webhook <url> --secret whsec_...
  facematch-mock check-webhook <url> --client-id ID [--config FILE]

Sends real signed submission.completed events to <url> and checks the answers:
  valid event → 2xx within the timeout; the same webhook-id again → 2xx (a retry is acknowledged);
  a tampered signature, a stale timestamp, a missing header → 4xx, never 2xx;
  an unknown event type → 2xx or 4xx (reported), never 5xx.
Exit code 0 when every check passes, 1 when one fails, 2 for bad arguments.

Options:
  --secret whsec_...     the webhook secret your receiver verifies with
  --client-id ID         take the secret of this partner from the config instead
  --config FILE          the config file --client-id reads (default: the demo partners)
  --timeout-ms N         how long each answer may take (default 10000)
  -h, --help             this text
`;

export async function runCheckWebhookCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandOptions('check-webhook', () => parse(argv));
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const url = receiverUrlOf(positionals);
  const secret = secretFrom(values);
  const timeoutMs = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 120_000) {
    throw new ConfigError('--timeout-ms must be a whole number of milliseconds from 1 to 120000.');
  }
  let checks: Awaited<ReturnType<typeof checkWebhookReceiver>>;
  try {
    checks = await checkWebhookReceiver({ url, secret, timeoutMs });
  } catch (error) {
    if (!(error instanceof ReceiverUnreachable)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  const failed = checks.filter((c) => !c.passed);
  io.stdout.write(`Checking the callback receiver at ${url}\n\n`);
  for (const c of checks) {
    io.stdout.write(
      `  ${c.passed ? 'ok  ' : 'FAIL'}  ${c.name}: answered ${c.answer}; expected ${c.expectation}\n`,
    );
    if (c.note) io.stdout.write(`        note: ${c.note}\n`);
  }
  io.stdout.write(
    `\n${failed.length === 0 ? 'PASSED' : 'FAILED'}: ${checks.length - failed.length} of ${checks.length} checks passed\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

const EXAMPLE = 'e.g. `facematch-mock check-webhook http://127.0.0.1:3000/callbacks --secret whsec_…`';

/** The one positional argument, refused with what is wrong with it rather than a generic usage line. */
function receiverUrlOf(positionals: string[]): string {
  const [url, ...extra] = positionals;
  if (url === undefined) throw new ConfigError(`Name one receiver URL, ${EXAMPLE}.`);
  if (extra.length > 0) {
    throw new ConfigError(
      `<url>: one receiver URL, got ${positionals.length} arguments (${positionals.map((p) => `"${p}"`).join(', ')}).`,
    );
  }
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw new ConfigError(`<url>: "${url}" is not an http(s) URL, ${EXAMPLE}.`);
  }
  return url;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      secret: { type: 'string' },
      'client-id': { type: 'string' },
      config: { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function secretFrom(values: ReturnType<typeof parse>['values']): string {
  if (values.secret && values['client-id']) throw new ConfigError('Give --secret or --client-id, not both.');
  if (values.secret) {
    const parsed = parseWebhookSecret(values.secret);
    if (!parsed.ok) throw new ConfigError(`--secret: ${parsed.message}`);
    return values.secret;
  }
  if (values['client-id']) {
    const config = loadConfig({ env: {}, flags: { configFile: values.config } });
    const partner = config.partners.find((p) => p.clientId === values['client-id']);
    if (!partner) {
      throw new ConfigError(
        `No partner "${values['client-id']}" in the configuration; known: ${config.partners.map((p) => p.clientId).join(', ')}.`,
      );
    }
    return partner.webhookSecret;
  }
  throw new ConfigError(
    "Give the receiver's secret with --secret whsec_…, or --client-id to read it from the config.",
  );
}
