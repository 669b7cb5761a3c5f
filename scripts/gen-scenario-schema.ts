// Writes openapi/scenario.schema.json from the zod schema the server validates scenario files with.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../src/scenarios/scenarioJsonSchema.ts';

const target = fileURLToPath(new URL('../openapi/scenario.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
