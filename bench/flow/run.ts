import { type BenchArgs, parseBenchArgs, USAGE } from './benchArgs.ts';
import { benchConfig, PARTNERS } from './benchConfig.ts';
import { benchMain, startRunLimit } from './benchMain.ts';
import { buildReport, type CallbackCounts, renderReport, type ServerOutcome } from './benchReport.ts';
import { type CallbackReceiver, startCallbackReceiver } from './callbackReceiver.ts';
import { spawnChildServer } from './childServer.ts';
import { loadFlowCases } from './flowCases.ts';
import { describeMachine } from './machine.ts';
import { requestToken } from './partnerToken.ts';
import { type FlowResult, runFlow } from './runFlow.ts';
import { progressEvery10Percent, runFlows } from './runFlows.ts';

const SERVER_START_TIMEOUT_MS = 30_000;
const COMPLETION_TIMEOUT_MS = 30_000;
/** After the last flow, how long to keep listening for late duplicate callbacks. */
const SETTLE_MS = 1000;

async function bench(args: BenchArgs): Promise<number> {
  const machine = describeMachine();
  const halt = startRunLimit(args.timeLimitMs, 20_000);

  const cases = await loadFlowCases();
  const receiver = await startCallbackReceiver(
    Object.fromEntries(PARTNERS.map((p) => [p.clientId, p.webhookSecret])),
  );
  const server = spawnChildServer(
    benchConfig({
      callbackUrlFor: receiver.urlFor,
      processingDelayMs: args.processingDelayMs,
      processingConcurrency: args.processingConcurrency,
    }),
    args.engine,
    args.profileServer ? ['--cpu-prof', '--cpu-prof-dir', args.profileServer] : [],
  );
  const crashWatch = setInterval(() => {
    if (server.unexpectedExit()) halt.abort('server exited');
  }, 100);

  let results: FlowResult[] = [];
  let warmup: FlowResult[] = [];
  const tokenMs: number[] = [];
  let loadSeconds = 0;
  let startupError: string | undefined;
  const serverOutcome: ServerOutcome = { stderrLines: server.stderrLines };
  try {
    const baseUrl = await server.ready(halt.signal, SERVER_START_TIMEOUT_MS);
    process.stderr.write(
      `bench: server ready at ${baseUrl}; ${args.flows} flows, concurrency ${args.concurrency}\n`,
    );

    // A partner caches one token per client until it expires, so flows reuse these.
    const tokens = new Map<string, string>();
    for (const partner of PARTNERS) {
      tokens.set(partner.clientId, (await requestToken(baseUrl, partner, halt.signal)).token);
    }
    const flow = (index: number) => {
      // Alternate tenants so each partner's callback URL and secret are exercised.
      const partner = PARTNERS[index % PARTNERS.length] as (typeof PARTNERS)[number];
      return runFlow({
        index,
        baseUrl,
        token: tokens.get(partner.clientId) as string,
        flowCase: cases[Math.floor(index / PARTNERS.length) % cases.length] as (typeof cases)[number],
        receiver,
        pollCapMs: args.pollCapMs,
        callbackGraceMs: args.callbackGraceMs,
        completionTimeoutMs: COMPLETION_TIMEOUT_MS,
        signal: halt.signal,
      });
    };
    if (args.warmup > 0) {
      process.stderr.write(`bench: warm-up, ${args.warmup} flows\n`);
      warmup = await runFlows(args.warmup, args.concurrency, halt.signal, flow, () => {});
    }
    // Fresh token requests only time the step, one after another, on the warmed-up server.
    for (let i = 0; i < args.freshTokens; i++) {
      const partner = PARTNERS[i % PARTNERS.length] as (typeof PARTNERS)[number];
      tokenMs.push((await requestToken(baseUrl, partner, halt.signal)).ms);
    }
    const started = performance.now();
    // Timed flows get indices after the warm-up's so referenceIds stay unique.
    results = await runFlows(
      args.flows,
      args.concurrency,
      halt.signal,
      (index) => flow(args.warmup + index),
      progressEvery10Percent(args.flows, started),
    );
    loadSeconds = (performance.now() - started) / 1000;
    if (!halt.signal.aborted) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  } catch (error) {
    startupError = (error as Error).message;
    process.stderr.write(`bench: ${startupError}\n`);
  } finally {
    clearInterval(crashWatch);
    serverOutcome.crash = server.unexpectedExit();
    const stopped = await server.stop();
    if (!serverOutcome.crash) serverOutcome.stop = stopped;
    await receiver.close();
    halt.clear();
  }

  const report = buildReport({
    machine,
    settings: args,
    results,
    warmup,
    tokenMs,
    loadSeconds,
    timedOut: halt.signal.reason === 'time limit',
    callbacks: countCallbacks([...warmup, ...results], receiver),
    server: serverOutcome,
    ...(startupError ? { startupError } : {}),
  });
  process.stdout.write(renderReport(report));
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.failures.length ? 1 : 0;
}

function countCallbacks(results: FlowResult[], receiver: CallbackReceiver): CallbackCounts {
  const ours = new Set(results.map((r) => r.correlationId).filter(Boolean));
  let duplicates = 0;
  let duplicateEvents = 0;
  let unknown = 0;
  for (const [id, arrivals] of receiver.arrivals) {
    if (!ours.has(id)) unknown += arrivals.length;
    duplicates += arrivals.length - 1;
    duplicateEvents += new Set(arrivals.map((a) => a.webhookId)).size - 1;
  }
  return {
    lost: results.filter((r) => r.callbackLost).length,
    duplicates,
    duplicateEvents,
    invalidSignatures: receiver.invalidSignatures,
    malformed: receiver.malformed,
    unknown,
  };
}

process.exitCode = await benchMain(process.argv.slice(2), USAGE, parseBenchArgs, bench);
