import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One way of starting a server on a given port, measured until its /readyz answers 200. */
export interface Contender {
  name: string;
  /** Node arguments after the node binary; `{port}` is replaced by the port of the run. */
  args(port: number): string[];
  /** Environment additions (merged over a copy of the bench's environment without FACEMATCH_*). */
  env?: Record<string, string>;
}

const serveOn = (port: number) => ['serve', '--host', '127.0.0.1', '--port', String(port)];

/** What is compared: ours as `npm start` runs it, ours as it ran before AOT, and Prism on our document. */
export function contenders(): Contender[] {
  const prismBin = createRequire(import.meta.url).resolve('@stoplight/prism-cli/dist/index.js');
  return [
    {
      // Exactly what `npm start` and the bin run: the launcher, its freshness check, dist/.
      name: 'facematch-mock, compiled (npm start)',
      args: (port) => [join(ROOT, 'src/cli/facematch-mock.js'), ...serveOn(port)],
    },
    {
      name: 'facematch-mock, compiled, --engine fixture',
      args: (port) => [join(ROOT, 'src/cli/facematch-mock.js'), ...serveOn(port), '--engine', 'fixture'],
    },
    {
      // How the bin ran before the build existed: tsx compiling every module at start.
      name: 'facematch-mock, sources through tsx',
      args: (port) => ['--import', 'tsx', join(ROOT, 'src/cli/entry.ts'), ...serveOn(port)],
    },
    {
      name: 'prism mock openapi/facematch.yaml',
      args: (port) => [
        prismBin,
        'mock',
        join(ROOT, 'openapi/facematch.yaml'),
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--verboseLevel',
        'warn',
      ],
    },
  ];
}
