import { z } from 'zod';
import { scenarioSchema } from './scenarioSchema.ts';

/**
 * The scenario format as JSON Schema (draft 2020-12), for editors: each shipped
 * file's `# yaml-language-server: $schema=…` line points at the committed copy,
 * openapi/scenario.schema.json, which `npm run gen` rewrites and a test keeps fresh.
 * Cross-field rules (score or outcome, not both…) are checked when the server loads.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://facematch-mock.invalid/scenario.schema.json',
    title: 'facematch-mock scenario',
  };
}
