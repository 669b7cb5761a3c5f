import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import type { FlowCase } from './runFlow.ts';

/**
 * The fixture selfies with their declared outcomes (fixtures/manifest.json,
 * default thresholds 80/70), each against the plain document. Flows cycle
 * through them so every outcome path, ERROR included, is under load.
 */
const DECLARED: Array<{ selfie: FixtureName; outcome: string }> = [
  { selfie: 'success-selfie', outcome: 'Success' }, // score 92
  { selfie: 'review-selfie', outcome: 'Review' }, // score 74
  { selfie: 'fail-selfie', outcome: 'Fail' }, // score 41
  { selfie: 'no-face-selfie', outcome: 'ERROR' }, // score 0, NO_FACE_SELFIE
];

export async function loadFlowCases(): Promise<FlowCase[]> {
  const document = new Uint8Array(await readFixture('document'));
  return Promise.all(
    DECLARED.map(async ({ selfie, outcome }) => ({
      name: selfie,
      selfie: new Uint8Array(await readFixture(selfie)),
      selfieContentType: 'image/png' as const,
      document,
      outcome,
    })),
  );
}
