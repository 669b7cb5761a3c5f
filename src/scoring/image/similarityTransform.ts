export type Point = readonly [number, number];

/**
 * 2×3 affine matrix [a, b, tx, c, d, ty] mapping (x, y) → (a·x + b·y + tx, c·x + d·y + ty).
 */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection)
 * taking `from` onto `to` — the 2-D case of Umeyama's method. In 2-D the optimal
 * rotation-and-scale has a closed form from two sums over the centred points, so
 * no SVD is needed.
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) {
    throw new Error('similarityTransform needs two equally long lists of at least two points');
  }
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += (from[i] as Point)[0];
    fy += (from[i] as Point)[1];
    tx += (to[i] as Point)[0];
    ty += (to[i] as Point)[1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = (from[i] as Point)[0] - fx;
    const py = (from[i] as Point)[1] - fy;
    const qx = (to[i] as Point)[0] - tx;
    const qy = (to[i] as Point)[1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('similarityTransform: source points coincide');
  const a = dot / norm;
  const c = cross / norm;
  return [a, -c, tx - (a * fx - c * fy), c, a, ty - (c * fx + a * fy)];
}

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error('invertAffine: singular matrix');
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/** Uniform scale factor of a similarity matrix. */
export function affineScale(m: Affine): number {
  return Math.hypot(m[0], m[3]);
}
