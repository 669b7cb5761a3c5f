import { readFileSync } from 'node:fs';
import { type Calibration, pairQuality, scoreFromDistance } from '../../src/scoring/onnx/calibration.ts';
import type { OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { embeddingDistance } from '../../src/scoring/onnx/embeddingDistance.ts';
import type { FaceBox, FaceData } from '../../src/scoring/ScoringEngine.ts';
import type { Degrade } from './degradations.ts';

/** One image described once; every pair it takes part in reuses the descriptor. */
export interface DescribedImage {
  descriptor: Float32Array;
  face: FaceData;
  lowQuality: boolean;
}

/**
 * Degrade each image (the box found on its original sizes the degradation) and describe it
 * in the DOCUMENT role (a calibration wants every face; MULTIPLE_FACES is a selfie rule).
 * `faces` collects the originals' boxes on the first call; pass the same map afterwards.
 */
export async function describeImages(
  engine: OnnxEngine,
  images: string[],
  degrade: Degrade,
  faces: Map<string, FaceBox | null>,
): Promise<Map<string, DescribedImage | undefined>> {
  const out = new Map<string, DescribedImage | undefined>(images.map((image) => [image, undefined]));
  let next = 0;
  // Two at a time, as the engine's limiter allows by default: one per core of the reference machine.
  const lane = async () => {
    for (let i = next++; i < images.length; i = next++) await describeOne(images[i] as string);
  };
  await Promise.all([lane(), lane()]);
  return out;

  async function describeOne(image: string) {
    const bytes = await degrade(readFileSync(image), faces.get(image) ?? null);
    const verdict = await engine.analyse(bytes, 'DOCUMENT');
    const face = verdict.analysis?.face;
    if (!faces.has(image)) faces.set(image, face?.box ?? null);
    out.set(
      image,
      verdict.descriptor && face
        ? {
            descriptor: verdict.descriptor,
            face,
            lowQuality: verdict.warnings.some((w) => w.code.startsWith('LOW_QUALITY')),
          }
        : undefined,
    );
  }
}

export interface PairScore {
  distance: number;
  /** As the engine scores it: the quality band's knots when the pair falls in one. */
  score: number;
  /** Before quality bands: the photo knots for every pair. */
  photoKnotsScore: number;
}

/** A pair with a missed face scores 0 (a non-match) both ways. */
export function scorePair(
  calibration: Calibration,
  a: DescribedImage | undefined,
  b: DescribedImage | undefined,
): PairScore {
  if (!a || !b) return { distance: Number.POSITIVE_INFINITY, score: 0, photoKnotsScore: 0 };
  const distance = embeddingDistance(a.descriptor, b.descriptor, calibration.metric);
  return {
    distance,
    score: scoreFromDistance(calibration, distance, pairQuality(a.face, b.face)),
    photoKnotsScore: scoreFromDistance(calibration, distance),
  };
}
