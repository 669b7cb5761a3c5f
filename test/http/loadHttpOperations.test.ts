import { readFileSync } from 'node:fs';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http/dist/utils/operations.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OPENAPI_PATH } from '../../src/app/projectFiles.ts';
import { loadHttpOperations } from '../../src/http/loadHttpOperations.ts';

describe('loadHttpOperations', () => {
  it("gives exactly what Prism's own loader gives for our document, and leaves the document as it was", async () => {
    const document = parse(readFileSync(OPENAPI_PATH, 'utf8')) as object;
    const before = structuredClone(document);
    const ours = await loadHttpOperations(document);
    const prisms = await getHttpOperationsFromSpec(OPENAPI_PATH);
    expect(ours.length).toBeGreaterThan(5);
    expect(ours).toEqual(prisms);
    expect(document).toEqual(before);
  });
});
