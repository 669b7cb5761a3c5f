import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowCase } from '../flow/runFlow.ts';

const DEMO_DIR = fileURLToPath(new URL('../../node_modules/@vladmandic/face-api/demo/', import.meta.url));
/** face-api's demo photos that show one face each (the others show several: MULTIPLE_FACES). */
const SINGLE_FACE = ['sample2.jpg', 'sample3.jpg', 'sample5.jpg'];

/**
 * Flows for the onnx engine: real photos (150–220 KB JPEGs), so the models do the work a
 * partner's upload costs; the drawn fixtures are small and score in a fraction of that. Each photo
 * against itself is Success, whatever the engine's calibration, so every outcome is still
 * checked. Undefined when face-api's demo photos are not installed.
 */
export function loadOnnxCases(): { cases: FlowCase[]; source: string } | undefined {
  const paths = SINGLE_FACE.map((name) => join(DEMO_DIR, name));
  if (!paths.every((path) => existsSync(path))) return undefined;
  const cases = paths.map((path) => {
    const bytes = new Uint8Array(readFileSync(path));
    return {
      name: `${path} against itself`,
      selfie: bytes,
      selfieContentType: 'image/jpeg' as const,
      document: bytes,
      documentContentType: 'image/jpeg' as const,
      outcome: 'Success',
    };
  });
  return { cases, source: `face-api's demo photos ${SINGLE_FACE.join(', ')}, each against itself` };
}
