import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import {
  callbackMessage,
  detailsInteraction,
  formTokenInteraction,
  headerlessPact,
  pact,
  unknownSubmissionInteraction,
  v2Pact,
} from './partnerPacts.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facematch-verify-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

afterEach(() => {
  vi.unstubAllEnvs();
});

async function verify(name: string, body: unknown, ...flags: string[]) {
  return verifyTo({ isTTY: false }, name, body, ...flags);
}

/** `isTTY`: whether the output claims to be a terminal, as process.stdout does on one. */
async function verifyTo(terminal: { isTTY: boolean }, name: string, body: unknown, ...flags: string[]) {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    terminal,
  );
  const code = await main(['verify', file, ...flags], { stdout: stream, stderr: stream });
  return { code, text };
}

describe('facematch-mock verify', () => {
  it('passes our own pacts (the folder), messages included', async () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    });
    expect(await main(['verify', 'pacts/'], { stdout: stream, stderr: stream })).toBe(0);
    expect(text).toContain('PASSED: 19 interaction(s), 19 passed, 0 failed');
  });

  it('passes a partner pact with a form-encoded token request and a stale bearer token', async () => {
    const { code, text } = await verify(
      'compatible',
      pact('facematch-api', [formTokenInteraction, detailsInteraction(), callbackMessage()]),
    );
    expect(text).toContain('3 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('passes a partner pact whose interactions have no provider state (a V2 token request, a GET)', async () => {
    // Pact's verifier still makes a state-change call for each, with an empty state.
    const { code, text } = await verify(
      'stateless',
      v2Pact([
        {
          description: 'a token request without a provider state',
          request: {
            method: 'POST',
            path: '/v1/oauth/token',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
          },
          response: {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: { token_type: 'Bearer', expires_in: 3600 },
          },
        },
        {
          description: 'the details of an unknown submission, without a provider state',
          request: {
            method: 'GET',
            path: '/v1/submissions/00000000-0000-4000-8000-000000000000',
            headers: { Authorization: 'Bearer stale' },
          },
          response: { status: 404 },
        },
      ]),
    );
    expect(text).toContain('2 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('passes a header-less JSON pact: bodies typed as Pact types them, on both sides', async () => {
    const { code, text } = await verify('headerless', headerlessPact());
    expect(text).toContain('3 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('fails a header-less JSON body with a field the API does not return, naming the interaction and the field', async () => {
    const { code, text } = await verify('headerless-extra', headerlessPact({ extraField: 'livenessScore' }));
    expect(code).toBe(1);
    expect(text).toContain('a request to create a submission, with a JSON body and no Content-Type');
    expect(text).toContain('$.livenessScore');
  });

  it.each([
    ['null', null, '$: expected a pact'],
    [
      'interactions: "nope"',
      { ...pact('facematch-api', []), interactions: 'nope' },
      '$.interactions: expected an array of interactions, got "nope"',
    ],
  ])('refuses %s as not a pact before starting anything (exit 2)', async (name, body, message) => {
    const file = `not-a-pact-${name.replace(/\W+/g, '-')}`;
    const { code, text } = await verify(file, body);
    expect(text).toContain(`${file}.json: ${message}`);
    expect(text).not.toContain('Verifying');
    expect(code).toBe(2);
  });

  it('fails a field the API does not return, naming the interaction and the field', async () => {
    const { code, text } = await verify(
      'extra-field',
      pact('facematch-api', [detailsInteraction({ extraResultField: 'livenessScore' })]),
    );
    expect(code).toBe(1);
    expect(text).toContain('the details of a submission in review');
    expect(text).toContain('$.result.livenessScore');
  });

  it('fails a wrong status, in plain text off a terminal, the verdict last', async () => {
    const { code, text } = await verify(
      'wrong-status',
      pact('facematch-api', [unknownSubmissionInteraction(200)]),
    );
    expect(code).toBe(1);
    expect(text).toMatch(/StatusMismatch at status\s+expected: 200\s+actual:\s+404/);
    // A CI log is not a terminal: Pact's verifier lines come through without their ANSI colours.
    expect(text).toContain('has status code 200 (FAILED)');
    expect(text).not.toContain('\u001b[');
    expect(text.trimEnd().split('\n').at(-1)).toBe('FAILED: 1 interaction(s), 0 passed, 1 failed');
  });

  it("keeps Pact's colours on a terminal, and drops them there too with NO_COLOR", async () => {
    vi.stubEnv('FORCE_COLOR', '');
    vi.stubEnv('NO_COLOR', '');
    const bad = pact('facematch-api', [unknownSubmissionInteraction(200)]);
    const coloured = await verifyTo({ isTTY: true }, 'terminal', bad);
    expect(coloured.text).toContain('\u001b[31mFAILED\u001b[0m');
    vi.stubEnv('NO_COLOR', '1');
    const plain = await verifyTo({ isTTY: true }, 'no-color', bad);
    expect(plain.text).toContain('has status code 200 (FAILED)');
    expect(plain.text).not.toContain('\u001b[');
  });

  it('fails an unknown provider state, listing the known ones', async () => {
    const { code, text } = await verify(
      'unknown-state',
      pact('facematch-api', [detailsInteraction({ state: 'a submission in manual review' })]),
    );
    expect(code).toBe(1);
    expect(text).toContain('a submission in manual review');
    expect(text).toContain('"a completed submission"');
  });

  it('fails a callback whose shape differs', async () => {
    const { code, text } = await verify('callback', pact('facematch-callbacks', [callbackMessage('score')]));
    expect(code).toBe(1);
    expect(text).toContain('a completion callback');
    expect(text).toContain('$.data.score');
  });

  it('ends a long run at --timeout with how far it got, which interactions it did not reach, and exit 1', async () => {
    // 5 000 interactions, as the partner pact that ran for minutes: far more than 6 s can verify.
    const interactions = Array.from({ length: 5000 }, (_, n) => ({
      description: `a poll of unknown submission ${n}`,
      request: {
        method: 'GET',
        path: `/v1/submissions/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        headers: { Authorization: 'Bearer stale' },
      },
      response: { status: 404 },
    }));
    const started = Date.now();
    const { code, text } = await verify('large', v2Pact(interactions), '--timeout', '6');
    const reached = Number(/after (\d+) of 5000 interaction\(s\) were reached/.exec(text)?.[1]);
    expect(text).toContain('TIMED OUT: the time limit (--timeout 6) ended the run');
    expect(reached).toBeLessThan(5000);
    expect(text).toContain(`Not reached: ${5000 - reached} interaction(s), in pact order:`);
    expect(text).toContain(`$.interactions[${reached}]: a poll of unknown submission ${reached}\n`);
    expect(text).toMatch(/… and \d+ more/);
    // Progress on stderr while it ran.
    expect(text).toMatch(/verify: \d+\/5000 interactions reached \(5 s of 6 s\)/);
    expect(code).toBe(1);
    // Ended by the limit, not by finishing: the whole run takes minutes.
    expect(Date.now() - started).toBeLessThan(50_000);
  });

  it('refuses a --timeout that is not a positive number of seconds', async () => {
    const { code, text } = await verify(
      'timeout-zero',
      pact('facematch-api', [formTokenInteraction]),
      '--timeout',
      '0',
    );
    expect(code).toBe(2);
    expect(text).toContain('--timeout must be a positive number of seconds');
  });

  it('explains itself with --help, and is listed in the main help', async () => {
    const { code, text } = await verify('help', {}, '--help');
    expect(code).toBe(0);
    expect(text).toContain('--client-id ID');
    expect(text).toContain('--consumer-version-selectors');
    expect(text).toContain('--timeout SECONDS');
  });

  it('refuses bad arguments with how to fix them', async () => {
    const { code, text } = await verify(
      'x',
      pact('facematch-api', [formTokenInteraction]),
      '--client-id',
      'nobody',
    );
    expect(code).toBe(2);
    expect(text).toContain('No partner "nobody"');
  });
});
