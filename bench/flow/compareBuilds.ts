import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { benchConfig, PARTNERS } from './benchConfig.ts';
import { benchMain } from './benchMain.ts';
import { startCallbackReceiver } from './callbackReceiver.ts';
import { type ChildServer, spawnChildServer } from './childServer.ts';
import { loadFlowCases } from './flowCases.ts';
import { requestToken } from './partnerToken.ts';
import { processCpuSeconds } from './processCpu.ts';
import { runFlow } from './runFlow.ts';
import { runFlows } from './runFlows.ts';

const USAGE = `npx tsx bench/flow/compareBuilds.ts BEFORE AFTER [options]

Event-loop CPU per complete flow of two builds of the server, measured in the same window: both
run at once (\`serve\`, each its own child process), flows alternate between them, and each
server's main-thread CPU (user + system, /proc/PID/task/PID/stat, Linux) is read before and after.
Other people's load moves CPU time from one run to the next by more than a small change saves;
side by side, both builds see the same machine.

BEFORE and AFTER are compiled trees' entry points or the trees themselves, e.g. a copy of dist/
made before a change (\`cp -r dist dist-before\`; it must sit beside dist/ so it finds openapi/,
fixtures/ and node_modules) and dist/.

  --flows N          timed flows per build (default 250), after 20 warm-up flows per build
  --concurrency C    flows in flight, both builds together (default 16)
  --engine E         fixture | onnx (default onnx; the fixture images score alike with both)
  --poll-cap-ms MS   cap on the Retry-After wait between status polls (default 200)
  -h, --help         this text

Exit code 0 when every flow passed on both; 1 otherwise; 2 for bad options.
`;

interface Args {
  entries: [string, string];
  flows: number;
  concurrency: number;
  engine: string;
  pollCapMs: number;
}

function parse(argv: string[]): Args | 'help' {
  if (argv.includes('-h') || argv.includes('--help')) return 'help';
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) positional.push(arg);
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      options[arg.slice(2)] = value;
    }
  }
  const known = new Set(['flows', 'concurrency', 'engine', 'poll-cap-ms']);
  for (const name of Object.keys(options)) if (!known.has(name)) throw new Error(`unknown option --${name}`);
  if (positional.length !== 2) throw new Error('give two builds: BEFORE AFTER');
  const entries = positional.map(entryOf) as [string, string];
  const count = (name: string, fallback: number) => {
    const value = Number(options[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  const engine = options.engine ?? 'onnx';
  if (engine !== 'onnx' && engine !== 'fixture') throw new Error('--engine must be onnx or fixture');
  return {
    entries,
    flows: count('flows', 250),
    concurrency: count('concurrency', 16),
    engine,
    pollCapMs: count('poll-cap-ms', 200),
  };
}

function entryOf(path: string): string {
  const full = resolve(path);
  const entry = full.endsWith('.js') ? full : resolve(full, 'cli/entry.js');
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: give a compiled tree (npm run build)`);
  return entry;
}

/** Milliseconds of CPU the server's event-loop thread has used (NaN where /proc cannot be read). */
function loopCpuMs(pid: number | undefined): number {
  return (processCpuSeconds(pid, true) ?? Number.NaN) * 1000;
}

async function compare(args: Args): Promise<number> {
  const { entries, flows, concurrency, engine, pollCapMs } = args;
  const signal = AbortSignal.timeout(900_000);
  const cases = await loadFlowCases();
  const receiver = await startCallbackReceiver(
    Object.fromEntries(PARTNERS.map((p) => [p.clientId, p.webhookSecret])),
  );
  const config = benchConfig({
    callbackUrlFor: receiver.urlFor,
    processingDelayMs: 0,
    processingConcurrency: 'auto',
  });
  const servers = entries.map((entry) => ({ entry, child: spawnChildServer(config, engine, [], [], entry) }));
  try {
    const sides: Array<{
      entry: string;
      child: ChildServer;
      baseUrl: string;
      tokens: Map<string, string>;
    }> = [];
    for (const { entry, child } of servers) {
      const baseUrl = await child.ready(signal, 120_000);
      const tokens = new Map<string, string>();
      for (const partner of PARTNERS)
        tokens.set(partner.clientId, (await requestToken(baseUrl, partner, signal)).token);
      sides.push({ entry, child, baseUrl, tokens });
    }
    // Even flows go to BEFORE, odd ones to AFTER; each build sees every partner and every case.
    const flow = (index: number) => {
      const side = sides[index % 2] as (typeof sides)[number];
      const partner = PARTNERS[Math.floor(index / 2) % PARTNERS.length] as (typeof PARTNERS)[number];
      return runFlow({
        index,
        baseUrl: side.baseUrl,
        token: side.tokens.get(partner.clientId) as string,
        flowCase: cases[Math.floor(index / 4) % cases.length] as (typeof cases)[number],
        receiver,
        pollCapMs,
        callbackGraceMs: 5000,
        completionTimeoutMs: 60_000,
        signal,
      });
    };
    const load = () => loadavg()[0]?.toFixed(2);
    process.stderr.write(`compare: warm-up, 20 flows per build (load ${load()})\n`);
    await runFlows(40, concurrency, signal, flow, () => {});
    const before = sides.map((side) => loopCpuMs(side.child.pid));
    const loadAtStart = load();
    const results = await runFlows(
      2 * flows,
      concurrency,
      signal,
      (i) => flow(40 + i),
      () => {},
    );
    const after = sides.map((side) => loopCpuMs(side.child.pid));
    const lines = [
      `machine: ${cpus().length} cores, ${cpus()[0]?.model.trim()}, Node ${process.version}; engine ${engine}; ${flows} flows per build, ${concurrency} in flight; load ${loadAtStart} → ${load()}`,
    ];
    let failed = 0;
    sides.forEach((side, k) => {
      const own = results.filter((_, i) => i % 2 === k);
      const bad = own.filter((r) => r.failedStep);
      failed += bad.length;
      const polls = own.reduce((sum, r) => sum + r.polls, 0) / own.length;
      const perFlow = ((after[k] as number) - (before[k] as number)) / own.length;
      lines.push(
        `${k === 0 ? 'before' : 'after '} ${side.entry}: ${perFlow.toFixed(2)} ms event-loop CPU per flow, ${polls.toFixed(2)} status polls per flow, ${bad.length} failed${bad[0] ? ` (first: ${bad[0].failedStep}: ${bad[0].error})` : ''}`,
      );
    });
    process.stdout.write(`${lines.join('\n')}\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    for (const { child } of servers) await child.stop();
    await receiver.close();
  }
}

process.exitCode = await benchMain(process.argv.slice(2), USAGE, parse, compare);
