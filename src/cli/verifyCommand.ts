import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startServer } from '../app/startServer.ts';
import { createTokenSource } from '../client/createTokenSource.ts';
import { ConfigError } from '../config/ConfigError.ts';
import { parseChoice } from '../config/configFromEnv.ts';
import { configSchema } from '../config/configSchema.ts';
import { loadConfig } from '../config/loadConfig.ts';
import { type PactDocument, readPactFile } from '../contract/readPactFile.ts';
import type { BrokerOptions } from '../contract/runPactVerification.ts';
import { runPactVerificationProcess } from '../contract/runPactVerificationProcess.ts';
import { CALLBACK_PATH, MESSAGE_PATH, startVerificationProxy } from '../contract/startVerificationProxy.ts';
import { formatTimedOutReport, formatVerificationReport } from '../contract/verificationReport.ts';
import type { Io } from './main.ts';
import { pactFiles } from './pactFiles.ts';
import { parseCommandOptions } from './parseCommandOptions.ts';
import { wantsColour } from './wantsColour.ts';

const DEFAULT_TIMEOUT_SECONDS = 300;
/** How often a long run says how far it is: often enough that a CI log shows it is alive. */
const PROGRESS_EVERY_MS = 5_000;

const HELP = `facematch-mock verify — verify your consumer pacts against a fresh mock

Usage:
  facematch-mock verify <pact file or folder>... [options]

Starts the mock in-process on a free port, sets up each interaction's provider states (GET
/__admin/provider-states lists them), replays the requests with their bodies byte for byte and a
fresh token of --client-id in place of any \`Authorization: Bearer …\`, answers message interactions
with the completion callbacks the mock really delivers, and prints a report. Exit code 0 when every
interaction passes, 1 when one fails or the time limit ends the run, 2 for bad arguments or a
file that is not a pact (each is validated first, as by check-pact). FACEMATCH_* variables are not
read: the mock is fresh, configured by the options below. A long run reports its progress to stderr
every few seconds.

Options:
  --client-id ID             the partner whose tokens, provider states and callbacks are used (default demo)
  --config FILE              your config file (partners, thresholds), as for \`serve\`
  --scenarios DIR            your own scenario YAML files, as for \`serve\`
  --engine fixture|onnx|auto scoring engine of the mock (default fixture)
  --timeout SECONDS          time limit of the verification (default ${DEFAULT_TIMEOUT_SECONDS}); when it ends
                             the run, the report says how many interactions were reached and which not
  --broker-url URL           fetch pacts from a Pact Broker (with --provider) instead of, or besides, files
  --broker-token TOKEN       bearer token for the broker (or PACT_BROKER_TOKEN)
  --provider NAME            the provider name in your pacts/broker (default facematch-api)
  --consumer-version-selectors JSON
                             e.g. '[{"mainBranch":true},{"deployedOrReleased":true}]'
  --publish-verification-results
                             publish results to the broker (needs --provider-version)
  --provider-version VERSION the version results are published for
  -h, --help                 this text
`;

export async function runVerifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandOptions('verify', () => parse(argv));
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const pactUrls = await pactFiles(positionals);
  // Validated before anything starts: a file that is not a pact is refused with its JSON path
  // (exit 2), as by check-pact, instead of failing somewhere inside Pact's verifier.
  const pacts: PactDocument[] = [];
  for (const file of pactUrls) pacts.push(await readPactFile(file));
  const broker = brokerOptions(values);
  const timeoutSeconds = timeoutOf(values.timeout);
  if (pactUrls.length === 0 && !broker.pactBrokerUrl) {
    throw new ConfigError(
      'Name at least one pact file or folder (e.g. `facematch-mock verify pacts/`), or a broker with --broker-url.',
    );
  }
  const clientId = values['client-id'] ?? 'demo';
  const loaded = loadConfig({
    env: {},
    flags: {
      configFile: values.config,
      scenariosDir: values.scenarios,
      engine: parseChoice(values.engine ?? 'fixture', '--engine', ['fixture', 'onnx', 'auto'] as const),
      port: 0,
      host: '127.0.0.1',
    },
  });
  const partner = loaded.partners.find((p) => p.clientId === clientId);
  if (!partner) {
    throw new ConfigError(
      `No partner "${clientId}" in the configuration; known: ${loaded.partners.map((p) => p.clientId).join(', ')}. Use --client-id or --config.`,
    );
  }

  let tokens: ReturnType<typeof createTokenSource> | undefined;
  const proxy = await startVerificationProxy({
    bearerToken: () => (tokens as NonNullable<typeof tokens>).get(),
    messageWaitMs: 10_000,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  // The partner's callbacks come back to the proxy, which serves them as the pacts' messages.
  const config = configSchema.parse({
    ...loaded,
    partners: loaded.partners.map((p) =>
      p.clientId === clientId ? { ...p, callbackUrl: `${proxy.url}${CALLBACK_PATH}` } : p,
    ),
  });
  const server = await startServer(config, { stdout: sink, stderr: sink }, { handleSignals: false });
  try {
    proxy.forwardTo(server.url);
    tokens = createTokenSource({
      baseUrl: server.url,
      clientId,
      clientSecret: partner.clientSecret,
      refreshBeforeExpiryMs: 60_000,
      policy: { timeoutMs: 10_000, maxAttempts: 1, maxWaitMs: 0, retryNetworkErrors: false, fetch },
    });
    const states = await fetch(`${server.url}/__admin/provider-states`, {
      signal: AbortSignal.timeout(10_000),
    });
    const knownStates = ((await states.json()) as { states: Array<{ name: string }> }).states.map(
      (s) => s.name,
    );

    io.stdout.write(
      `Verifying ${pactUrls.length ? pactUrls.join(', ') : broker.pactBrokerUrl} against facematch-mock (partner ${clientId})\n\n`,
    );
    const started = Date.now();
    const total = pacts.reduce((n, p) => n + p.interactions.length, 0);
    const progress = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      io.stderr.write(
        `verify: ${proxy.interactionsReached()}${total ? `/${total}` : ''} interactions reached (${seconds} s of ${timeoutSeconds} s)…\n`,
      );
    }, PROGRESS_EVERY_MS);
    let outcome: Awaited<ReturnType<typeof runPactVerificationProcess>>;
    try {
      outcome = await runPactVerificationProcess(
        {
          pactUrls,
          baseUrl: proxy.url,
          stateSetupUrl: `${proxy.url}/__admin/provider-states?clientId=${encodeURIComponent(clientId)}`,
          messageTransport: { port: Number(new URL(proxy.url).port), path: MESSAGE_PATH },
          broker,
        },
        {
          timeoutMs: timeoutSeconds * 1000,
          stdout: io.stdout,
          stderr: io.stderr,
          colour: wantsColour(io.stdout),
        },
      );
    } finally {
      clearInterval(progress);
    }
    if (outcome.kind === 'timed-out') {
      io.stdout.write(
        formatTimedOutReport({
          timeoutSeconds,
          reached: proxy.interactionsReached(),
          interactions: pacts.flatMap((p) =>
            p.interactions.map((i) => `${p.file} ${i.at}: ${i.description}`),
          ),
        }),
      );
      return 1;
    }
    io.stdout.write(formatVerificationReport(outcome.json, knownStates));
    return outcome.json.result ? 0 : 1;
  } finally {
    await server.stop();
    await proxy.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'client-id': { type: 'string' },
      config: { type: 'string' },
      scenarios: { type: 'string' },
      engine: { type: 'string' },
      'broker-url': { type: 'string' },
      'broker-token': { type: 'string' },
      provider: { type: 'string' },
      'consumer-version-selectors': { type: 'string' },
      'publish-verification-results': { type: 'boolean' },
      'provider-version': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function timeoutOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 86_400) {
    throw new ConfigError(`--timeout must be a positive number of seconds, at most 86400, got "${value}".`);
  }
  return seconds;
}

function brokerOptions(values: ReturnType<typeof parse>['values']): BrokerOptions {
  const options: BrokerOptions = {};
  if (values.provider) options.provider = values.provider;
  if (values['broker-url']) options.pactBrokerUrl = values['broker-url'];
  const token = values['broker-token'] ?? process.env.PACT_BROKER_TOKEN;
  if (token && values['broker-url']) options.pactBrokerToken = token;
  if (values['consumer-version-selectors']) {
    try {
      options.consumerVersionSelectors = JSON.parse(values['consumer-version-selectors']);
    } catch {
      throw new ConfigError(
        '--consumer-version-selectors must be a JSON array, e.g. \'[{"mainBranch":true}]\'.',
      );
    }
  }
  if (values['publish-verification-results']) {
    if (!values['provider-version']) {
      throw new ConfigError('--publish-verification-results needs --provider-version (e.g. your git SHA).');
    }
    options.publishVerificationResult = true;
  }
  if (values['provider-version']) options.providerVersion = values['provider-version'];
  return options;
}
