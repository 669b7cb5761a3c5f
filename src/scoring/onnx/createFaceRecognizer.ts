import { createChipRecognizer } from './chipRecognizer.ts';
import type { SessionSettings } from './createSession.ts';
import type { FaceRecognizer } from './FaceRecognizer.ts';
import { ARCFACE_112_TEMPLATE, FACENET_150_TEMPLATE } from './faceTemplates.ts';
import type { RecognizerSpec } from './modelSetSpec.ts';
import type { PixelNormalisation } from './packTensor.ts';

type Triple = readonly [number, number, number];

/** Published preprocessing per recogniser family; a spec may override any of it. */
const PRESETS = {
  // InsightFace ArcFace exports: RGB, (x − 127.5) / 127.5, cosine.
  arcface112: {
    chipSize: 112,
    template: ARCFACE_112_TEMPLATE,
    order: 'rgb',
    mean: 127.5,
    std: 127.5,
    metric: 'cosine',
  },
  // OpenCV Zoo SFace: blobFromImage(swapRB) with no mean or scale → RGB 0–255, cosine.
  sface: { chipSize: 112, template: ARCFACE_112_TEMPLATE, order: 'rgb', mean: 0, std: 1, metric: 'cosine' },
  // face-api / dlib ResNet: RGB minus face-api's mean, divided by 255, Euclidean.
  facenet150: {
    chipSize: 150,
    template: FACENET_150_TEMPLATE,
    order: 'rgb',
    mean: [122.782, 117.001, 104.298] as Triple,
    std: 255,
    metric: 'euclidean',
  },
} as const;

export async function createFaceRecognizer(
  spec: RecognizerSpec,
  id: string,
  session: SessionSettings,
): Promise<FaceRecognizer> {
  const preset = PRESETS[spec.kind];
  const pixels: PixelNormalisation = {
    channelOrder: spec.channelOrder ?? preset.order,
    mean: triple(spec.mean ?? preset.mean),
    std: triple(spec.std ?? preset.std),
  };
  return createChipRecognizer(
    {
      id,
      file: spec.file,
      chipSize: preset.chipSize,
      template: preset.template,
      pixels,
      metric: spec.metric ?? preset.metric,
      ...(spec.outputName ? { outputName: spec.outputName } : {}),
      ...(spec.layout ? { layout: spec.layout } : {}),
    },
    session,
  );
}

function triple(v: number | Triple): Triple {
  return typeof v === 'number' ? [v, v, v] : v;
}
