import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isAlias, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../config/ConfigError.ts';
import { SCENARIO_NAME, type Scenario, scenarioSchema } from './scenarioSchema.ts';

/**
 * Reads every `*.yaml` / `*.yml` file of a directory as a scenario named after
 * the file. A broken file stops start-up with the file, line and field, because
 * a scenario that silently does nothing makes a partner's test lie.
 */
export function loadScenarios(dir: string, origin: (file: string) => string = (file) => file): Scenario[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f));
  } catch (error) {
    throw new ConfigError(`Cannot read scenarios directory ${dir}: ${(error as Error).message}.`);
  }
  return files.sort().map((file) => parseScenarioFile(join(dir, file), origin(join(dir, file))));
}

/** Alias expansions a scenario may make: plenty for shared settings, too few for a YAML bomb. */
const MAX_ALIAS_COUNT = 100;

export function parseScenarioFile(path: string, origin: string = path): Scenario {
  const name = basename(path).replace(/\.ya?ml$/i, '');
  if (!SCENARIO_NAME.test(name)) {
    throw new ConfigError(
      `${path}: the file name gives the scenario name "${name}"; use lowercase letters, digits and dashes.`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read scenario file ${path}: ${(error as Error).message}.`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = syntax.linePos?.[0];
    throw new ConfigError(
      `${path}${at ? `:${at.line}` : ''}: not valid YAML: ${syntax.message.split('\n')[0]}`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package refuses an alias that expands past the count (a "billion laughs" file).
    throw new ConfigError(`${path}${aliasLine(doc, lines)}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const described = parsed.error.issues.map((issue) => describeIssue(issue, doc, lines, path));
    throw new ConfigError(`Invalid scenario file:\n${described.map((l) => `  - ${l}`).join('\n')}`);
  }
  return { ...parsed.data, name, origin };
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: string,
): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  // The deepest node that exists on the issue's path: a missing field points at its parent.
  let line: number | undefined;
  for (let depth = issue.path.length; depth >= 0 && line === undefined; depth--) {
    const node = doc.getIn(issue.path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
    else if (depth === 0 && doc.contents?.range) line = lines.linePos(doc.contents.range[0]).line;
  }
  return `${path}${line ? `:${line}` : ''}: ${field}: ${issue.message}`;
}

/** `:line` of the first alias in the file, where an alias bomb starts being used. */
function aliasLine(doc: ReturnType<typeof parseDocument>, lines: LineCounter): string {
  let line: number | undefined;
  visit(doc, (_key, node) => {
    if (isAlias(node) && node.range) {
      line = lines.linePos(node.range[0]).line;
      return visit.BREAK;
    }
    return undefined;
  });
  return line ? `:${line}` : '';
}
