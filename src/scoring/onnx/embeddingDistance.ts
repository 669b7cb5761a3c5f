import type { DistanceMetric } from './FaceRecognizer.ts';

/**
 * Cosine distance (1 − cos θ, 0…2) for ArcFace-style embeddings, whose length carries
 * no identity; Euclidean for face-api's dlib-style descriptors, which were trained
 * with a Euclidean margin (same person below ~0.6).
 */
export function embeddingDistance(a: Float32Array, b: Float32Array, metric: DistanceMetric): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
    sq += (x - y) * (x - y);
  }
  if (metric === 'euclidean') return Math.sqrt(sq);
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  return denom > 0 ? 1 - dot / denom : 2;
}
