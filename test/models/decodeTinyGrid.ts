/**
 * The tiny detector decoding exactly as models/manifest.json documents it, written from that text
 * (not from face-api) so the test below proves the documentation, anchors included.
 */
export interface DecodedBox {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export function decodeTinyGrid(
  grid: Float32Array,
  cells: number,
  anchors: { w: number; h: number }[],
  image: { width: number; height: number },
  inputSize: number,
  scoreThreshold: number,
  iouThreshold: number,
): DecodedBox[] {
  const scale = inputSize / Math.max(image.width, image.height);
  const corrX = inputSize / Math.round(image.width * scale);
  const corrY = inputSize / Math.round(image.height * scale);
  const found: DecodedBox[] = [];
  for (let row = 0; row < cells; row++)
    for (let col = 0; col < cells; col++)
      for (const [a, anchor] of anchors.entries()) {
        const at = (k: number) => grid[(((row * cells + col) * anchors.length + a) * 5 + k) as number] ?? 0;
        const score = sigmoid(at(4));
        if (score <= scoreThreshold) continue;
        const cx = ((col + sigmoid(at(0))) / cells) * corrX;
        const cy = ((row + sigmoid(at(1))) / cells) * corrY;
        const width = ((Math.exp(at(2)) * anchor.w) / cells) * corrX;
        const height = ((Math.exp(at(3)) * anchor.h) / cells) * corrY;
        found.push({ x: cx - width / 2, y: cy - height / 2, width, height, score });
      }
  return suppress(found, iouThreshold);
}

function iou(a: DecodedBox, b: DecodedBox): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Greedy NMS, best score first; IoU is scale-free, so relative boxes give the same picks as pixels. */
function suppress(boxes: DecodedBox[], iouThreshold: number): DecodedBox[] {
  let pending = [...boxes].sort((p, q) => q.score - p.score);
  const kept: DecodedBox[] = [];
  while (pending.length > 0) {
    const [best, ...rest] = pending as [DecodedBox, ...DecodedBox[]];
    kept.push(best);
    pending = rest.filter((b) => iou(best, b) <= iouThreshold);
  }
  return kept;
}
