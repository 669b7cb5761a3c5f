import type { RgbImage } from '../image/RgbImage.ts';
import { resizeBilinear } from '../image/resizeBilinear.ts';
import { createSession, type SessionSettings } from './createSession.ts';
import type { DetectedFace, FaceDetector } from './FaceDetector.ts';
import type { DetectorSpec } from './modelSetSpec.ts';
import { nonMaxSuppression } from './nonMaxSuppression.ts';
import { packTensor } from './packTensor.ts';
import { squareImageTensor } from './squareImageTensor.ts';

type TinySpec = Extract<DetectorSpec, { kind: 'faceapi-tiny' }>;

// face-api's tiny_face_detector constants (TinyYolov2 with separable convs, one class).
const DEFAULT_ANCHORS: [number, number][] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const DEFAULT_MEAN: [number, number, number] = [117.001, 114.697, 97.404];
const VALUES_PER_BOX = 5;

/**
 * face-api's tiny face detector, converted to ONNX by models/. Input as face-api
 * builds it: pad bottom/right to a square, TF-bilinear resize to inputSize,
 * (x − meanRgb) / 255 unless the graph does that itself. Output is a YOLOv2 grid of
 * inputSize/32 cells × 5 anchors × (tx, ty, tw, th, objectness), in either layout.
 */
export async function createFaceApiTinyDetector(
  spec: TinySpec,
  session: SessionSettings,
): Promise<FaceDetector> {
  const model = await createSession(spec.file, session);
  const inputName = spec.inputName ?? (model.inputNames[0] as string);
  const outputName = spec.outputName ?? (model.outputNames[0] as string);
  const anchors = spec.anchors ?? DEFAULT_ANCHORS;
  const mean = spec.normalisedInGraph ? [0, 0, 0] : (spec.meanRgb ?? DEFAULT_MEAN);
  const scale = spec.normalisedInGraph ? 1 : (spec.scale ?? 255);
  async function detectAt(image: RgbImage, size: number): Promise<DetectedFace[]> {
    // Pad-to-square and resize in one pass: copying a 1280 px photo into a square first
    // cost more than the 224 px inference itself.
    const side = Math.max(image.width, image.height);
    const resized = resizeBilinear(image, size, size, side, side);
    const planar = packTensor(resized, size, size, {
      channelOrder: 'rgb',
      mean: [mean[0] as number, mean[1] as number, mean[2] as number],
      std: [scale, scale, scale],
    });
    const input = squareImageTensor(planar, size, spec.layout);
    const outputs = await model.run({ [inputName]: input });
    const out = outputs[outputName];
    if (!out) throw new Error(`tiny face detector produced no output "${outputName}"`);
    const data = out.data as Float32Array;
    const cells = size / 32;
    const channels = anchors.length * VALUES_PER_BOX;
    // Our converter emits [1, cells, cells, anchors, 5]; a plain TF export [1, cells, cells, 25];
    // both keep the values last. Only an NCHW head ([1, 25, cells, cells]) puts them second.
    const channelsLast = out.dims.length === 5 || out.dims[3] === channels;
    const at = (row: number, col: number, ch: number) =>
      channelsLast
        ? (data[(row * cells + col) * channels + ch] as number)
        : (data[(ch * cells + row) * cells + col] as number);
    const faces: DetectedFace[] = [];
    for (let row = 0; row < cells; row++) {
      for (let col = 0; col < cells; col++) {
        for (let a = 0; a < anchors.length; a++) {
          const base = a * VALUES_PER_BOX;
          const score = sigmoid(at(row, col, base + 4));
          if (score < spec.scoreThreshold) continue;
          const [aw, ah] = anchors[a] as [number, number];
          const cx = ((col + sigmoid(at(row, col, base))) / cells) * side;
          const cy = ((row + sigmoid(at(row, col, base + 1))) / cells) * side;
          const w = ((Math.exp(at(row, col, base + 2)) * aw) / cells) * side;
          const h = ((Math.exp(at(row, col, base + 3)) * ah) / cells) * side;
          faces.push(clip({ x: cx - w / 2, y: cy - h / 2, width: w, height: h, score }, image));
        }
      }
    }
    return nonMaxSuppression(faces, spec.nmsIou);
  }
  return {
    id: 'faceapi-tiny',
    async detect(image: RgbImage): Promise<DetectedFace[]> {
      const longSide = Math.max(image.width, image.height);
      const coarse = await detectAt(image, spec.coarseInputSize);
      if (coarse.some((f) => Math.min(f.width, f.height) >= spec.coarseEnough * longSide)) {
        return nonMaxSuppression(coarse, spec.nmsIou, true);
      }
      // Blowing a small upload up more than 2× only makes its face too big for the anchors.
      const fine = spec.inputSize <= 2 * longSide ? await detectAt(image, spec.inputSize) : [];
      const merged = [...coarse, ...fine];
      if (merged.length > 0) return nonMaxSuppression(merged, spec.nmsIou, true);
      for (const size of spec.fallbackInputSizes) {
        const faces = await detectAt(image, size);
        if (faces.length > 0) return faces;
      }
      return [];
    },
    close: () => model.release(),
  };
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** face-api clips boxes to the image; the landmark crop relies on boxes inside it. */
function clip(face: DetectedFace, image: RgbImage): DetectedFace {
  const x = Math.max(0, face.x);
  const y = Math.max(0, face.y);
  const right = Math.min(image.width, face.x + face.width);
  const bottom = Math.min(image.height, face.y + face.height);
  return { ...face, x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}
