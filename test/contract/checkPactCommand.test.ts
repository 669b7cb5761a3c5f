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
  headerlessPact,
  pact,
  unknownSubmissionInteraction,
  v2Pact,
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

  it('types a body without a Content-Type as Pact does: a header-less JSON pact is compatible', async () => {
    const { code, text } = await checkPact('headerless', headerlessPact());
    expect(text).not.toContain('media type');
    expect(text).toContain('3 interaction(s), 0 mismatch(es)');
    expect(code).toBe(0);
  });

  it('names the interaction and the field of a header-less JSON body the API does not return', async () => {
    const { code, text } = await checkPact(
      'headerless-extra',
      headerlessPact({ extraField: 'livenessScore' }),
    );
    expect(code).toBe(1);
    expect(text).toMatch(
      /a request to create a submission, with a JSON body and no Content-Type \(\$\.interactions\[1\]\)\n\s+response body: .*livenessScore/,
    );
  });

  it('groups the mismatches of each interaction under it', async () => {
    const { code, text } = await checkPact(
      'grouped',
      v2Pact([
        {
          description: 'a bad create',
          request: { method: 'POST', path: '/v1/submissions', body: { selfieContentType: 'image/gif' } },
          response: { status: 201, body: { status: 'AWAITING_UPLOAD', livenessScore: 1 } },
        },
        {
          description: 'a bad poll',
          request: { method: 'GET', path: '/v1/submissions/x/status' },
          response: { status: 418 },
        },
      ]),
    );
    expect(code).toBe(1);
    const lines = text.split('\n');
    const create = lines.findIndex((l) => l.includes('a bad create ($.interactions[0])'));
    const poll = lines.findIndex((l) => l.includes('a bad poll ($.interactions[1])'));
    expect(create).toBeGreaterThan(-1);
    expect(poll).toBeGreaterThan(create + 2);
    // Every line between the two headers is one of the create's mismatches; each header appears once.
    expect(lines.slice(create + 1, poll).every((l) => /^ {10}(request|response) /.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes('a bad create')).length).toBe(1);
    expect(lines[poll + 1]).toContain('response status: 418');
  });

  const interactionOk = {
    description: 'a poll',
    request: { method: 'GET', path: '/v1/submissions/x/status' },
    response: { status: 200 },
  };
  const withInteraction = (change: (i: Record<string, unknown>) => void) => {
    const i = structuredClone(interactionOk) as Record<string, unknown>;
    change(i);
    return v2Pact([interactionOk, interactionOk, interactionOk, i]);
  };
  it.each([
    ['null', null, '$: expected a pact'],
    [
      'an array',
      [],
      '$: expected a pact (a JSON object with consumer, provider and interactions), got an array',
    ],
    ['a string', 'pact', '$: expected a pact'],
    [
      'interactions: "nope"',
      { ...v2Pact([]), interactions: 'nope' },
      '$.interactions: expected an array of interactions, got "nope"',
    ],
    [
      'no interactions at all',
      { consumer: { name: 'a' }, provider: { name: 'b' } },
      '$.interactions: expected an array',
    ],
    ['an empty interactions array', v2Pact([]), '$.interactions: no interactions'],
    [
      'no consumer name',
      { ...v2Pact([interactionOk]), consumer: {} },
      '$.consumer.name: expected a non-empty name',
    ],
    ['no provider', { ...v2Pact([interactionOk]), provider: undefined }, '$.provider: expected {"name"'],
    [
      'an interaction without a request',
      withInteraction((i) => delete i.request),
      '$.interactions[3].request: expected an object, got nothing',
    ],
    [
      'an interaction without a response',
      withInteraction((i) => delete i.response),
      '$.interactions[3].response: expected an object',
    ],
    [
      'a numeric method',
      withInteraction((i) => {
        (i.request as Record<string, unknown>).method = 7;
      }),
      '$.interactions[3].request.method: expected an HTTP method',
    ],
    [
      'a path that is not a string',
      withInteraction((i) => {
        (i.request as Record<string, unknown>).path = ['/x'];
      }),
      '$.interactions[3].request.path: expected a path starting with /, got an array',
    ],
    [
      'a status "200x"',
      withInteraction((i) => {
        (i.response as Record<string, unknown>).status = '200x';
      }),
      '$.interactions[3].response.status: expected an integer 100–599, got "200x"',
    ],
    [
      'a status 99',
      withInteraction((i) => {
        (i.response as Record<string, unknown>).status = 99;
      }),
      '$.interactions[3].response.status: expected an integer 100–599, got 99',
    ],
    [
      'an unknown specification version',
      { ...v2Pact([interactionOk]), metadata: { pactSpecification: { version: '9.0' } } },
      '$.metadata.pactSpecification.version: expected a Pact specification version 2.x, 3.x or 4.x, got "9.0"',
    ],
    [
      'a V4 synchronous message',
      pact('facematch-api', [
        { type: 'Synchronous/Messages', description: 'rpc', request: {}, response: [] },
      ]),
      '$.interactions[0].type: "Synchronous/Messages" interactions are not checked',
    ],
    [
      'a V4 plain-JSON body',
      pact('facematch-api', [
        {
          ...interactionOk,
          type: 'Synchronous/HTTP',
          response: { status: 200, body: { status: 'COMPLETED' } },
        },
      ]),
      '$.interactions[0].response.body: expected a V4 body {"content", "contentType", "encoded"}',
    ],
  ])('refuses %s as not a pact, naming the file and the JSON path (exit 2)', async (name, body, message) => {
    const { code, text } = await checkPact(`not-a-pact-${name.replace(/\W+/g, '-')}`, body);
    expect(text).toContain(`not-a-pact-${name.replace(/\W+/g, '-')}.json: ${message}`);
    expect(text).not.toContain('COMPATIBLE');
    expect(code).toBe(2);
  });

  it('refuses a file nested 100 000 deep without overflowing, and a file over the size limit', async () => {
    const deep = join(dir, 'deep.json');
    await writeFile(deep, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const nested = await run(deep);
    expect(nested.code).toBe(2);
    expect(nested.text).toContain(`${deep}: nested more than 64 levels deep`);

    const huge = join(dir, 'huge.json');
    // A sparse file: its size is what is refused, before a byte of it is read.
    const { open } = await import('node:fs/promises');
    const handle = await open(huge, 'w');
    await handle.truncate(51 * 1024 * 1024);
    await handle.close();
    const big = await run(huge);
    expect(big.code).toBe(2);
    expect(big.text).toContain(`${huge}: 51.0 MB is larger than a pact may be (50.0 MB)`);
  });

  it('explains itself and refuses a missing file', async () => {
    expect((await run('--help')).text).toContain('offline');
    expect((await run('no/such/file.json')).code).toBe(2);
  });
});
