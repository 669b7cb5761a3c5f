import { readFileSync } from 'node:fs';
import prismRouter from '@stoplight/prism-http/dist/router/index.js';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPENAPI_PATH } from '../../src/app/projectFiles.ts';
import { loadContractValidator } from '../../src/http/contractValidator.ts';
import { loadHttpOperations } from '../../src/http/loadHttpOperations.ts';

type Route = typeof prismRouter.default;
const routerExport = prismRouter as unknown as Route | { default: Route };
const route: Route = typeof routerExport === 'function' ? routerExport : routerExport.default;

// Segments of our paths, ids, segments spelled like ours but percent-encoded, broken encodings.
const SEGMENTS = [
  '',
  'v1',
  'v%31',
  'submissions',
  'sub%6Dissions',
  '3f2a9c1e-0b7d-4c55-9e61-2a8f0d4b7c13',
  'abc',
  '%E0%A4%A',
  'status',
  'confirm',
  'uploads',
  'callbacks',
  'bucket',
  'SELFIE',
  '.well-known',
  'jwks.json',
  'oauth',
  'token',
  'docs',
  'problems',
  '{correlationId}',
  '{}',
  '%7B%7D',
  'healthz',
];

describe('contract routing', () => {
  it("names the operation Prism's router names for every path, ids or not, however often asked", async () => {
    const document = parse(readFileSync(OPENAPI_PATH, 'utf8')) as object;
    const operations = await loadHttpOperations(document);
    const contract = await loadContractValidator(document);
    const prism = (method: string, path: string) => {
      const result = route({
        resources: operations,
        input: { method: method.toLowerCase() as 'get', url: { path, query: {} }, headers: {} },
      });
      if (E.isRight(result)) return `matched ${result.right.iid}`;
      return (result.left as { name?: string }).name?.endsWith('#NO_METHOD_MATCHED_ERROR')
        ? 'no-method'
        : 'no-path';
    };
    // Every path of one or two segments from the list, and the list's segments in our templates' places.
    const paths: string[] = [];
    for (const a of SEGMENTS) {
      paths.push(`/${a}`);
      for (const b of SEGMENTS) {
        paths.push(`/${a}/${b}`, `/v1/submissions/${a}/${b}`, `/bucket/uploads/${a}/${b}`, `/v1/${a}/${b}`);
      }
    }
    const seen = new Set<string>();
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT']) {
        const ours = contract.match({ method, path, query: {}, headers: {} });
        const answer = ours.kind === 'matched' ? `matched ${ours.operation.iid}` : ours.kind;
        expect(`${method} ${path} → ${answer}`).toBe(`${method} ${path} → ${prism(method, path)}`);
        seen.add(answer);
      }
    }
    // The list reaches the API's operations, not only refusals.
    for (const expected of ['getSubmissionStatus', 'confirmSubmission', 'uploadImage', 'getJwks']) {
      expect(seen).toContain(`matched ${expected}`);
    }
    expect(seen).toContain('no-method');
    expect(seen).toContain('no-path');
  });
});
