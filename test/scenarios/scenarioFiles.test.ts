import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/ConfigError.ts';
import { BUILTIN_SCENARIOS_DIR, loadScenarioCatalogue } from '../../src/scenarios/ScenarioCatalogue.ts';
import { scenarioJsonSchema } from '../../src/scenarios/scenarioJsonSchema.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer } from '../support/testServer.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function scenarioDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-scenarios-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("a team's own scenario files (--scenarios DIR)", () => {
  it('a connection reset and a two-step delay work over real HTTP', async () => {
    const dir = scenarioDir({
      'flaky-network.yaml': [
        'description: The first confirm is slow, the first two status polls are slow, the third poll is reset.',
        'result:',
        '  outcome: Review',
        'faults:',
        '  - on: [confirm, status]',
        '    times: 3',
        '    delayMs: 150',
        '  - on: status',
        '    after: 2',
        '    reset: true',
        '',
      ].join('\n'),
    });
    const server = await startTestServer({ scenariosDir: dir });
    try {
      const flow = await startFlow(server.url, await server.token(), {
        scenario: 'flaky-network',
        confirm: false,
      });
      const timed = async <T>(call: () => Promise<T>) => {
        const started = performance.now();
        const value = await call();
        return { value, ms: performance.now() - started };
      };
      const confirm = await timed(() => flow.client.confirm(flow.id));
      expect(confirm.value.response.status).toBe(202);
      const polls = [
        await timed(() => flow.client.status(flow.id)),
        await timed(() => flow.client.status(flow.id)),
      ];
      for (const step of [confirm, ...polls]) expect(step.ms).toBeGreaterThanOrEqual(140);
      await expect(flow.client.status(flow.id)).rejects.toThrow();
      expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
      expect((await flow.client.details(flow.id)).body.result?.outcome).toBe('Review');
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      'a misspelt key',
      'typo.yaml',
      'description: x\nresult:\n  outcom: Review\n',
      /typo\.yaml:3: result: Unrecognized key.*outcom/s,
    ],
    [
      'a wrong value',
      'wrong.yaml',
      'description: x\nfaults:\n  - on: confirm\n    problem: teapot\n',
      /wrong\.yaml:4: faults\.0\.problem: /,
    ],
    [
      'score and outcome together',
      'both.yaml',
      'description: x\nresult:\n  score: 75\n  outcome: Review\n',
      /both\.yaml:4: result\.outcome: give score or outcome, not both/,
    ],
    ['broken YAML', 'broken.yaml', 'description: [unclosed\n', /broken\.yaml:\d+: not valid YAML/],
    [
      'an alias bomb',
      'bomb.yaml',
      `description: x\n${['a: &a ["x","x","x","x","x","x","x","x","x"]']
        .concat(
          'bcdefghi'
            .split('')
            .map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
        )
        .join('\n')}\n`,
      /bomb\.yaml:3: not valid YAML: .*alias/i,
    ],
    ['a missing description', 'bare.yaml', 'result:\n  outcome: Fail\n', /bare\.yaml:1: description: /],
    [
      'a built-in name taken again',
      'review.yaml',
      'description: mine\nresult:\n  outcome: Fail\n',
      /review\.yaml: a scenario named "review" already exists \(builtin\)/,
    ],
  ])('%s stops start-up with the file, line and field', (_what, file, text, message) => {
    const dir = scenarioDir({ [file]: text });
    let error: unknown;
    try {
      loadScenarioCatalogue(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('the published format', () => {
  it('openapi/scenario.schema.json is what the loader validates (run `npm run gen` if not)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../openapi/scenario.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(scenarioJsonSchema());
  });

  it('every shipped scenario file names the schema for editors', () => {
    for (const scenario of loadScenarioCatalogue().list()) {
      const text = readFileSync(join(BUILTIN_SCENARIOS_DIR, `${scenario.name}.yaml`), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../openapi/scenario.schema.json');
    }
  });
});
