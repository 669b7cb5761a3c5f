import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import {
  callbackMessage,
  detailsInteraction,
  formTokenInteraction,
  pact,
  unknownSubmissionInteraction,
} from './partnerPacts.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facematch-check-pact-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const code = await main(['check-pact', ...args], { stdout: stream, stderr: stream });
  return { code, text };
}

async function checkPact(name: string, body: unknown) {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return run(file);
}

describe('facematch-mock check-pact', () => {
  it('says which argument is not a pact file or folder, and exits 2', async () => {
    const missing = await run(join(dir, 'no-such-pacts'));
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('No such pact file or folder');
    const empty = await mkdtemp(join(dir, 'empty-'));
    const none = await run(empty);
    expect(none.code).toBe(2);
    expect(none.text).toContain(`No *.json pact files in ${empty}`);
  });

  it('finds our own pacts compatible', async () => {
    const { code, text } = await run('pacts/');
    expect(text).toContain('COMPATIBLE: 3 of 3 pact file(s) match openapi/facematch.yaml');
    expect(code).toBe(0);
  });

  it('finds a partner pact with a form-encoded token request, details and the callback compatible', async () => {
    const { code, text } = await checkPact(
      'compatible',
      pact('facematch-api', [formTokenInteraction, detailsInteraction(), callbackMessage()]),
    );
    expect(text).toContain('3 interaction(s), 0 mismatch(es)');
    expect(code).toBe(0);
  });

  it('names a field the API does not return', async () => {
    const { code, text } = await checkPact(
      'extra-field',
      pact('facematch-api', [detailsInteraction({ extraResultField: 'livenessScore' })]),
    );
    expect(code).toBe(1);
    expect(text).toContain('the details of a submission in review');
    expect(text).toMatch(/response body\.result: .*livenessScore/);
  });

  it('names a status the operation never answers', async () => {
    const { code, text } = await checkPact(
      'wrong-status',
      pact('facematch-api', [unknownSubmissionInteraction(204)]),
    );
    expect(code).toBe(1);
    expect(text).toContain('response status: 204 is not a status GET /v1/submissions/');
  });

  it('names an unknown provider state with the known ones', async () => {
    const { code, text } = await checkPact(
      'unknown-state',
      pact('facematch-api', [detailsInteraction({ state: 'a submission in manual review' })]),
    );
    expect(code).toBe(1);
    expect(text).toContain(
      'provider state a submission in manual review: no such provider state; known: "a partner',
    );
  });

  it('names a callback field the document does not have', async () => {
    const { code, text } = await checkPact(
      'callback',
      pact('facematch-callbacks', [callbackMessage('score')]),
    );
    expect(code).toBe(1);
    expect(text).toMatch(/message \/data\/score: .*submission\.completed callback/);
  });

  it('explains itself and refuses a missing file', async () => {
    expect((await run('--help')).text).toContain('offline');
    expect((await run('no/such/file.json')).code).toBe(2);
  });
});
