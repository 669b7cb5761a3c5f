import type { MatchResult } from '../domain/Submission.ts';
import type { FaceData, ImageAnalysis } from '../scoring/ScoringEngine.ts';
import type { components } from './generated/openapi.ts';

type Schemas = components['schemas'];

/**
 * The result as the partner contract defines it, field by field: what the engine keeps for the
 * admin API (landmarks) stays out of partner bodies, whatever a stored record holds.
 */
export function partnerMatchResult(result: MatchResult | null): Schemas['MatchResult'] | null {
  if (result === null) return null;
  return {
    score: result.score,
    outcome: result.outcome,
    thresholds: { success: result.thresholds.success, review: result.thresholds.review },
    reasons: result.reasons.map((r) => ({
      code: r.code,
      ...(r.image ? { image: r.image } : {}),
      message: r.message,
    })),
    faces: { selfie: partnerAnalysis(result.faces.selfie), document: partnerAnalysis(result.faces.document) },
    engine: result.engine,
  };
}

function partnerAnalysis(analysis: ImageAnalysis | null): Schemas['ImageAnalysis'] | null {
  if (analysis === null) return null;
  return {
    width: analysis.width,
    height: analysis.height,
    facesFound: analysis.facesFound,
    face: analysis.face === null ? null : partnerFace(analysis.face),
  };
}

function partnerFace(face: FaceData): Schemas['FaceData'] {
  const { x, y, width, height } = face.box;
  return {
    box: { x, y, width, height },
    confidence: face.confidence,
    sizePx: face.sizePx,
    ...(face.quality
      ? { quality: { sharpness: face.quality.sharpness, brightness: face.quality.brightness } }
      : {}),
  };
}
