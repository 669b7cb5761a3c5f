import type { SessionSettings } from './createSession.ts';
import type { FaceDetector } from './FaceDetector.ts';
import { createFaceApiTinyDetector } from './faceApiTinyDetector.ts';
import type { DetectorSpec } from './modelSetSpec.ts';
import { createScrfdDetector } from './scrfdDetector.ts';
import { createYunetDetector } from './yunetDetector.ts';

export async function createFaceDetector(
  spec: DetectorSpec,
  session: SessionSettings,
): Promise<FaceDetector> {
  switch (spec.kind) {
    case 'yunet':
      return createYunetDetector(spec, session);
    case 'scrfd':
      return createScrfdDetector(spec, session);
    case 'faceapi-tiny':
      return createFaceApiTinyDetector(spec, session);
  }
}
