/**
 * Below these, a face is still compared but the partner gets LOW_QUALITY_SELFIE /
 * LOW_QUALITY_DOCUMENT, the cue production gives for a result that may be pulled
 * down by the photo rather than the person. Sharpness is the Laplacian variance on
 * the 112×112 aligned chip; the values come from the dev set and the generated
 * degradations (docs/scoring.md, "Quality reasons").
 */
export interface QualityLimits {
  minSharpness: number;
  minBrightness: number;
  maxBrightness: number;
  /** Shorter side of the face box in uploaded pixels. */
  minFaceSizePx: number;
}

export const DEFAULT_QUALITY_LIMITS: QualityLimits = {
  minSharpness: 30,
  minBrightness: 50,
  maxBrightness: 215,
  minFaceSizePx: 48,
};
