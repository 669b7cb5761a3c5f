import type { DetectedFace } from './FaceDetector.ts';

export type FaceChoice =
  | { kind: 'none' }
  | { kind: 'multiple'; count: number; faces: DetectedFace[] }
  | { kind: 'one'; face: DetectedFace; count: number };

/**
 * A second face at least this fraction of the largest one's side counts as "comparable".
 * Ghost portraits on ID cards are about a third of the main portrait's size, people
 * in the background of a selfie are far smaller, while a second person next to the
 * subject is of similar size.
 */
export const COMPARABLE_FACE_RATIO = 0.7;

/**
 * Pick the face to compare. The largest face wins; on a selfie a second face of
 * comparable size makes the check inconclusive, because we cannot know which person
 * the partner meant to verify (the production API reports MULTIPLE_FACES, score 0).
 * Documents never trigger that: their only other faces are ghost images and holograms
 * of the same holder.
 */
export function chooseFace(faces: DetectedFace[], rejectComparable: boolean): FaceChoice {
  if (faces.length === 0) return { kind: 'none' };
  const bySize = [...faces].sort((a, b) => side(b) - side(a));
  const largest = bySize[0] as DetectedFace;
  const comparable = bySize.filter((f) => side(f) >= COMPARABLE_FACE_RATIO * side(largest));
  if (rejectComparable && comparable.length > 1) {
    return { kind: 'multiple', count: comparable.length, faces: comparable };
  }
  return { kind: 'one', face: largest, count: faces.length };
}

function side(face: DetectedFace): number {
  return Math.min(face.width, face.height);
}
