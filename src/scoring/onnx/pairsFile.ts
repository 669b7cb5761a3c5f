import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One line of a pairs file; `same` is present when the file carries labels. */
export interface LabelledPair {
  a: string;
  b: string;
  /** Absolute paths. */
  pathA: string;
  pathB: string;
  same?: boolean;
}

/**
 * `a<TAB>b[<TAB>same]` lines, optional `a b same` header, paths relative to the
 * file — the format of the dev set's pairs.tsv, read by the CLI, calibration and bench.
 */
export function readPairsFile(file: string): LabelledPair[] {
  const base = dirname(file);
  const pairs: LabelledPair[] = [];
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [a, b, same] = line.split('\t').map((s) => s.trim());
    if (!a || !b || (a === 'a' && b === 'b')) continue;
    const pair: LabelledPair = { a, b, pathA: resolve(base, a), pathB: resolve(base, b) };
    if (same === '1' || same === '0') pair.same = same === '1';
    pairs.push(pair);
  }
  return pairs;
}
