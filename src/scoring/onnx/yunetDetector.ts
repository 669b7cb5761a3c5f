import ort from 'onnxruntime-node';
import type { RgbImage } from '../image/RgbImage.ts';
import { createSession, outputData, type SessionSettings } from './createSession.ts';
import type { DetectedFace, FaceDetector } from './FaceDetector.ts';
import { letterbox } from './letterbox.ts';
import { nonMaxSuppression } from './nonMaxSuppression.ts';
import type { PixelNormalisation } from './packTensor.ts';
import { packTensor } from './packTensor.ts';

export interface YunetSettings {
  file: string;
  /** Side of the square input for the fixed 640 export; the upper bound for dynamic exports. */
  inputSize: number;
  /** True for exports with a free H×W (multiples of 32): the canvas then follows the image. */
  dynamic: boolean;
  scoreThreshold: number;
  nmsIou: number;
}

// YuNet was trained on cv2.imread output: BGR, 0–255, no mean or scale.
const YUNET_PIXELS: PixelNormalisation = { channelOrder: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] };
const STRIDES = [8, 16, 32] as const;

/**
 * OpenCV Zoo / libfacedetection YuNet: anchor-free, one prior per grid cell,
 * score = cls × obj, boxes and five keypoints relative to the cell in stride units.
 */
export async function createYunetDetector(
  settings: YunetSettings,
  session: SessionSettings,
): Promise<FaceDetector> {
  const model = await createSession(settings.file, session);
  const inputName = model.inputNames[0] as string;
  return {
    id: `yunet${settings.dynamic ? '-dynamic' : ''}`,
    async detect(image: RgbImage): Promise<DetectedFace[]> {
      const boxed = letterbox(image, settings.inputSize, settings.dynamic ? 32 : undefined);
      const { canvasWidth: cw, canvasHeight: ch } = boxed;
      const input = new ort.Tensor('float32', packTensor(boxed.image, cw, ch, YUNET_PIXELS), [1, 3, ch, cw]);
      const outputs = await model.run({ [inputName]: input });
      const faces: DetectedFace[] = [];
      for (const stride of STRIDES) {
        const cols = Math.floor(cw / stride);
        const rows = Math.floor(ch / stride);
        const cls = outputData(outputs, `cls_${stride}`);
        const obj = outputData(outputs, `obj_${stride}`);
        const bbox = outputData(outputs, `bbox_${stride}`);
        const kps = outputData(outputs, `kps_${stride}`);
        for (let i = 0; i < rows * cols; i++) {
          // OpenCV's FaceDetectorYN reports the geometric mean of the clamped class and
          // objectness scores; using the same scale keeps its published thresholds meaningful.
          const score = Math.sqrt(clamp01(cls[i] as number) * clamp01(obj[i] as number));
          if (score < settings.scoreThreshold) continue;
          const col = i % cols;
          const row = Math.floor(i / cols);
          const cx = (col + (bbox[i * 4] as number)) * stride;
          const cy = (row + (bbox[i * 4 + 1] as number)) * stride;
          const w = Math.exp(bbox[i * 4 + 2] as number) * stride;
          const h = Math.exp(bbox[i * 4 + 3] as number) * stride;
          const keypoints: [number, number][] = [];
          for (let k = 0; k < 5; k++) {
            keypoints.push([
              ((col + (kps[i * 10 + 2 * k] as number)) * stride) / boxed.scale,
              ((row + (kps[i * 10 + 2 * k + 1] as number)) * stride) / boxed.scale,
            ]);
          }
          faces.push({
            x: (cx - w / 2) / boxed.scale,
            y: (cy - h / 2) / boxed.scale,
            width: w / boxed.scale,
            height: h / boxed.scale,
            score,
            keypoints,
          });
        }
      }
      return nonMaxSuppression(faces, settings.nmsIou);
    },
    close: () => model.release(),
  };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}
