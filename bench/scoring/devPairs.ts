import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { type LabelledPair, readPairsFile } from '../../src/scoring/onnx/pairsFile.ts';

/** The shared dev set lives next to the checkout, never inside it (third-party photos). */
export const DEV_PAIRS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/faces/dev/pairs.tsv',
);

export function devSetPresent(): boolean {
  return existsSync(DEV_PAIRS);
}
