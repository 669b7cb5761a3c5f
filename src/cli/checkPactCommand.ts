import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { OPENAPI_PATH } from '../app/projectFiles.ts';
import { ConfigError } from '../config/ConfigError.ts';
import { checkPactAgainstOpenApi, type PactMismatch } from '../contract/checkPactAgainstOpenApi.ts';
import { readPactFile } from '../contract/readPactFile.ts';
import { loadContractValidator } from '../http/contractValidator.ts';
import type { Io } from './main.ts';
import { pactFiles } from './pactFiles.ts';
import { parseCommandOptions } from './parseCommandOptions.ts';

const HELP = `facematch-mock check-pact — check consumer pacts against the OpenAPI document, offline

Usage:
  facematch-mock check-pact <pact file or folder>...

Checks every interaction (Pact V2–V4, HTTP and messages) against openapi/facematch.yaml without
starting anything: the request must be one the API accepts, the expected response one it may answer
(documented status, headers and body schema: a field the API does not return is a mismatch), and a
message must be a body the submission.completed callback may carry. A body without a Content-Type is
typed as Pact types it (JSON when it is JSON, else text). Prints the mismatches of each interaction
with their fields. Each file is validated first (at most 50 MB, nested at most 64 deep): one that is
not a pact is refused with its JSON path. Exit code 0 when all are compatible, 1 when one is not,
2 for bad arguments or a file that is not a pact.

Options:
  -h, --help    this text
`;

export async function runCheckPactCommand(argv: string[], io: Io): Promise<number> {
  const {
    positionals,
    values: { help },
  } = parseCommandOptions('check-pact', () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (help) {
    io.stdout.write(HELP);
    return 0;
  }
  const files = await pactFiles(positionals);
  if (files.length === 0)
    throw new ConfigError('Name at least one pact file or folder, e.g. `facematch-mock check-pact pacts/`.');
  const contract = await loadContractValidator(parseYaml(await readFile(OPENAPI_PATH, 'utf8')) as object);
  // Every file is validated before any is checked: a file that is not a pact stops the run (exit 2).
  const pacts = [];
  for (const file of files) pacts.push(await readPactFile(file));
  let failed = 0;
  for (const pact of pacts) {
    const result = checkPactAgainstOpenApi(pact, contract);
    const ok = result.mismatches.length === 0;
    if (!ok) failed++;
    io.stdout.write(
      `${ok ? 'ok  ' : 'FAIL'}  ${pact.file}: ${result.consumer} → ${result.provider}, ${result.interactions} interaction(s), ${result.mismatches.length} mismatch(es)\n`,
    );
    // Grouped by interaction, so a partner sees at once which of theirs is wrong and everything about it.
    const byInteraction = new Map<string, PactMismatch[]>();
    for (const m of result.mismatches) byInteraction.set(m.at, [...(byInteraction.get(m.at) ?? []), m]);
    for (const [at, mismatches] of byInteraction) {
      io.stdout.write(`        ${mismatches[0]?.interaction} (${at})\n`);
      for (const m of mismatches) io.stdout.write(`          ${m.part} ${m.field}: ${m.message}\n`);
    }
  }
  io.stdout.write(
    `\n${failed === 0 ? 'COMPATIBLE' : 'INCOMPATIBLE'}: ${files.length - failed} of ${files.length} pact file(s) match openapi/facematch.yaml\n`,
  );
  return failed === 0 ? 0 : 1;
}
