import type { MatchResult } from '../domain/Submission.ts';
import type { FaceData, ImageAnalysis } from '../scoring/ScoringEngine.ts';
import type { components } from './generated/admin.ts';

type Schemas = components['schemas'];

/**
 * The engine's view of both images for the admin API: the partner's face data plus the
 * landmarks, with `null` where a figure was never measured (the fixture engine measures no
 * quality; records scored before landmarks were kept have none), so the shape never varies.
 */
export function engineAnalysis(result: MatchResult | null): Schemas['EngineAnalysis'] | null {
  if (result === null) return null;
  return {
    engine: result.engine,
    selfie: imageAnalysis(result.faces.selfie),
    document: imageAnalysis(result.faces.document),
  };
}

function imageAnalysis(analysis: ImageAnalysis | null): Schemas['ImageAnalysis'] | null {
  if (analysis === null) return null;
  return {
    width: analysis.width,
    height: analysis.height,
    facesFound: analysis.facesFound,
    face: analysis.face === null ? null : faceAnalysis(analysis.face),
  };
}

function faceAnalysis(face: FaceData): Schemas['FaceAnalysis'] {
  const { x, y, width, height } = face.box;
  return {
    box: { x, y, width, height },
    confidence: face.confidence,
    sizePx: face.sizePx,
    quality: face.quality ? { sharpness: face.quality.sharpness, brightness: face.quality.brightness } : null,
    landmarks: face.landmarks ? face.landmarks.map(({ name, x, y }) => ({ name, x, y })) : null,
  };
}
