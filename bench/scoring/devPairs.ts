import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabelledPair {
  a: string;
  b: string;
  /** Absolute paths. */
  pathA: string;
  pathB: string;
  same?: boolean;
}

/** The shared dev set lives next to the checkout, never inside it (third-party photos). */
export const DEV_PAIRS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/faces/dev/pairs.tsv',
);

export function devSetPresent(): boolean {
  return existsSync(DEV_PAIRS);
}

/** `a<TAB>b[<TAB>same]` lines, optional header, paths relative to the file. */
export function readPairsFile(file: string): LabelledPair[] {
  const base = dirname(file);
  const pairs: LabelledPair[] = [];
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [a, b, same] = line.split('\t');
    if (!a || !b) continue;
    if (a === 'a' && b === 'b') continue;
    const pair: LabelledPair = { a, b, pathA: resolve(base, a), pathB: resolve(base, b) };
    if (same === '1' || same === '0') pair.same = same === '1';
    pairs.push(pair);
  }
  return pairs;
}
