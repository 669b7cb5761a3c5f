import ort from 'onnxruntime-node';
import type { RgbImage } from '../image/RgbImage.ts';
import { createSession, outputData, type SessionSettings } from './createSession.ts';
import type { DetectedFace, FaceDetector } from './FaceDetector.ts';
import { letterbox } from './letterbox.ts';
import { nonMaxSuppression } from './nonMaxSuppression.ts';
import { type PixelNormalisation, packTensor } from './packTensor.ts';

export interface ScrfdSettings {
  file: string;
  inputSize: number;
  scoreThreshold: number;
  nmsIou: number;
}

// InsightFace SCRFD: RGB, (x − 127.5) / 128.
const SCRFD_PIXELS: PixelNormalisation = {
  channelOrder: 'rgb',
  mean: [127.5, 127.5, 127.5],
  std: [128, 128, 128],
};
const STRIDES = [8, 16, 32] as const;
const ANCHORS_PER_CELL = 2;

/**
 * SCRFD with keypoints ("bnkps" exports): two anchors per cell, boxes as distances
 * from the anchor centre to each side, everything in stride units.
 */
export async function createScrfdDetector(
  settings: ScrfdSettings,
  session: SessionSettings,
): Promise<FaceDetector> {
  const model = await createSession(settings.file, session);
  const inputName = model.inputNames[0] as string;
  return {
    id: 'scrfd',
    async detect(image: RgbImage): Promise<DetectedFace[]> {
      const boxed = letterbox(image, settings.inputSize, 32);
      const { canvasWidth: cw, canvasHeight: ch } = boxed;
      const input = new ort.Tensor('float32', packTensor(boxed.image, cw, ch, SCRFD_PIXELS), [1, 3, ch, cw]);
      const outputs = await model.run({ [inputName]: input });
      const faces: DetectedFace[] = [];
      const s = boxed.scale;
      for (const stride of STRIDES) {
        const cols = Math.ceil(cw / stride);
        const scores = outputData(outputs, `score_${stride}`);
        const bbox = outputData(outputs, `bbox_${stride}`);
        const kps = outputData(outputs, `kps_${stride}`);
        for (let i = 0; i < scores.length; i++) {
          const score = scores[i] as number;
          if (score < settings.scoreThreshold) continue;
          const cell = Math.floor(i / ANCHORS_PER_CELL);
          const ax = (cell % cols) * stride;
          const ay = Math.floor(cell / cols) * stride;
          const x1 = ax - (bbox[i * 4] as number) * stride;
          const y1 = ay - (bbox[i * 4 + 1] as number) * stride;
          const x2 = ax + (bbox[i * 4 + 2] as number) * stride;
          const y2 = ay + (bbox[i * 4 + 3] as number) * stride;
          const keypoints: [number, number][] = [];
          for (let k = 0; k < 5; k++) {
            keypoints.push([
              (ax + (kps[i * 10 + 2 * k] as number) * stride) / s,
              (ay + (kps[i * 10 + 2 * k + 1] as number) * stride) / s,
            ]);
          }
          faces.push({ x: x1 / s, y: y1 / s, width: (x2 - x1) / s, height: (y2 - y1) / s, score, keypoints });
        }
      }
      return nonMaxSuppression(faces, settings.nmsIou);
    },
    close: () => model.release(),
  };
}
