import { cropImage } from '../image/cropImage.ts';
import type { RgbImage } from '../image/RgbImage.ts';
import { resizeBilinear } from '../image/resizeBilinear.ts';
import type { Point } from '../image/similarityTransform.ts';
import { createSession, type SessionSettings } from './createSession.ts';
import type { DetectedFace } from './FaceDetector.ts';
import type { FaceLandmarker } from './FaceLandmarker.ts';
import type { LandmarkSpec } from './modelSetSpec.ts';
import { packTensor } from './packTensor.ts';
import { padToSquare } from './padToSquare.ts';
import { squareImageTensor } from './squareImageTensor.ts';

const FACE_API_MEAN: [number, number, number] = [122.782, 117.001, 104.298];

/**
 * face-api's 68-point landmark net on the detector box: crop, pad to a centred
 * square, TF-bilinear to 112, then read points as fractions of that square.
 * Returns the five alignment points derived from the 68 (eye centres, nose tip,
 * mouth corners) plus, via `locate68`, the full set for callers that want it.
 */
export async function createFaceApiLandmarker(
  spec: LandmarkSpec,
  session: SessionSettings,
): Promise<FaceLandmarker & { locate68(image: RgbImage, face: DetectedFace): Promise<Point[]> }> {
  const model = await createSession(spec.file, session);
  const inputName = spec.inputName ?? (model.inputNames[0] as string);
  const outputName = spec.outputName ?? (model.outputNames[0] as string);
  const size = spec.inputSize;
  const mean = spec.normalisedInGraph ? [0, 0, 0] : (spec.meanRgb ?? FACE_API_MEAN);
  const scale = spec.normalisedInGraph ? 1 : (spec.scale ?? 255);

  async function locate68(image: RgbImage, face: DetectedFace): Promise<Point[]> {
    const crop = cropImage(image, face.x, face.y, face.width, face.height);
    const { square, offsetX, offsetY } = padToSquare(crop.image, true);
    const planar = packTensor(resizeBilinear(square, size, size), size, size, {
      channelOrder: 'rgb',
      mean: [mean[0] as number, mean[1] as number, mean[2] as number],
      std: [scale, scale, scale],
    });
    const input = squareImageTensor(planar, size, spec.layout);
    const outputs = await model.run({ [inputName]: input });
    const out = outputs[outputName];
    if (!out) throw new Error(`landmark net produced no output "${outputName}"`);
    const data = out.data as Float32Array;
    const side = square.width;
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) {
      points.push([
        (data[i * 2] as number) * side - offsetX + crop.offsetX,
        (data[i * 2 + 1] as number) * side - offsetY + crop.offsetY,
      ]);
    }
    return points;
  }

  return {
    id: 'faceapi-68',
    locate68,
    async locate(image: RgbImage, face: DetectedFace): Promise<Point[]> {
      return fivePointsFrom68(await locate68(image, face));
    },
    close: () => model.release(),
  };
}

/** iBUG-68 → ArcFace's five: eye centres (36–41, 42–47), nose tip (30), mouth corners (48, 54). */
export function fivePointsFrom68(p: readonly Point[]): Point[] {
  const centre = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += (p[i] as Point)[0];
      y += (p[i] as Point)[1];
    }
    return [x / (to - from + 1), y / (to - from + 1)];
  };
  return [centre(36, 41), centre(42, 47), p[30] as Point, p[48] as Point, p[54] as Point];
}
