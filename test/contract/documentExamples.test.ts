import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadContractValidator } from '../../src/http/contractValidator.ts';
import { loadHttpOperations } from '../../src/http/loadHttpOperations.ts';

const documentAt = (file: string) =>
  parse(readFileSync(new URL(`../../openapi/${file}`, import.meta.url), 'utf8')) as object;

/**
 * /docs shows these examples as what the server answers: each must be an answer the contract
 * allows, under its own status (a 401 whose example says `"status": 400` misleads).
 */
describe.each([
  // Every error answer of the partner API has one: 401, 404, 409, 429 and 503 among them.
  {
    file: 'facematch.yaml',
    withExamples: ['400', '401', '404', '408', '409', '413', '415', '422', '429', '500', '503'],
  },
  // The admin API's own refusals: no operator token, operator only, another site's page, another host name.
  { file: 'admin.yaml', withExamples: ['401', '403', '421'] },
])('the examples in openapi/$file', ({ file, withExamples }) => {
  it('are valid answers under the status they are listed for', async () => {
    const document = documentAt(file);
    const validator = await loadContractValidator(document);
    const operations = await loadHttpOperations(document);
    const checked: string[] = [];
    const problems: string[] = [];
    for (const operation of operations) {
      for (const response of operation.responses) {
        for (const content of response.contents ?? []) {
          for (const example of content.examples ?? []) {
            const body = 'value' in example ? example.value : undefined;
            const where = `${operation.method.toUpperCase()} ${operation.path} ${response.code} ${content.mediaType}`;
            checked.push(where);
            const errors = validator
              .checkResponse(operation, {
                statusCode: Number(response.code),
                headers: { 'content-type': content.mediaType },
                body,
              })
              // Headers are not what an example shows; its body is.
              .filter((message) => !/header/i.test(message));
            problems.push(...errors.map((e) => `${where}: ${e}`));
            const status = (body as { status?: unknown } | undefined)?.status;
            if (typeof status === 'number') {
              if (String(status) !== response.code) problems.push(`${where}: example says status ${status}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    for (const code of withExamples) {
      expect(
        checked.some((where) => where.includes(` ${code} application/problem+json`)),
        code,
      ).toBe(true);
    }
  });
});
