import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { describeMachine } from '../flow/machine.ts';
import { type Contender, contenders } from './contenders.ts';
import { measureStart, type StartSample } from './measureStart.ts';

const USAGE = `npx tsx bench/coldstart/run.ts [--runs N] [--json]

Cold start to the first 200 on GET /readyz, and resident memory at that moment, for
facematch-mock (compiled, as \`npm start\` runs it; with the fixture engine; from sources
through tsx) and Prism's mock of openapi/facematch.yaml, side by side: every round starts
each contender once, in a rotating order, so load on the machine hits them alike.

  --runs N     rounds (default 7); the table shows medians
  --json       also print one JSON line with every sample
  -h, --help   this text
`;
const START_TIMEOUT_MS = 60_000;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '7' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const runs = Number(values.runs);
  if (values.help || !Number.isInteger(runs) || runs < 1) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const machine = describeMachine();
  const all = contenders();
  // FACEMATCH_* variables of the shell would change what is started; measure the defaults.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FACEMATCH_')));
  const samples = new Map<string, StartSample[]>(all.map((c) => [c.name, []]));
  for (let round = 0; round < runs; round++) {
    const order = all.map((_, i) => all[(i + round) % all.length] as Contender);
    for (const contender of order) {
      const port = await freePort();
      const sample = await measureStart(
        contender.args(port),
        port,
        { ...env, ...contender.env },
        START_TIMEOUT_MS,
      );
      samples.get(contender.name)?.push(sample);
      process.stderr.write(
        `round ${round + 1}/${runs}  ${contender.name.padEnd(44)} ${Math.round(sample.readyMs)} ms  ${Math.round(sample.cpuMs)} ms CPU  ${sample.rssMiB.toFixed(0)} MiB\n`,
      );
    }
  }
  process.stdout.write(render(machine, runs, all, samples));
  if (values.json)
    process.stdout.write(`${JSON.stringify({ machine, runs, samples: Object.fromEntries(samples) })}\n`);
  const stale = samples.get(all[0]?.name ?? '')?.some((s) => /tsx/.test(s.stderr));
  if (stale) {
    process.stderr.write(
      'The compiled contender ran from sources (dist/ missing or stale): run `npm run build` first.\n',
    );
    return 1;
  }
  return 0;
}

/** A port that is free right now, for the contender about to start. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function render(
  machine: ReturnType<typeof describeMachine>,
  runs: number,
  all: Contender[],
  samples: Map<string, StartSample[]>,
): string {
  const prism = all.find((c) => c.name.startsWith('prism'));
  const prismMs = prism ? median((samples.get(prism.name) ?? []).map((s) => s.readyMs)) : Number.NaN;
  const rows = all.map((c) => {
    const list = samples.get(c.name) ?? [];
    const ms = list.map((s) => s.readyMs);
    const readyMs = median(ms);
    return [
      c.name,
      `${Math.round(readyMs)}`,
      `${Math.round(Math.min(...ms))}–${Math.round(Math.max(...ms))}`,
      `${Math.round(median(list.map((s) => s.cpuMs)))}`,
      `${median(list.map((s) => s.rssMiB)).toFixed(0)}`,
      `${(readyMs / prismMs).toFixed(2)}`,
    ];
  });
  const header = ['server', 'ready ms (median)', 'min–max', 'CPU ms', 'RSS MiB', 'ready × Prism'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [
    `Cold start to the first 200 on /readyz, median of ${runs} side-by-side rounds`,
    `machine: ${machine.cores} × ${machine.model}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadAverage} at start`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].join('\n');
}

process.exitCode = await main(process.argv.slice(2));
