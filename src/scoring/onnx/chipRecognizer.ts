import type { RgbImage } from '../image/RgbImage.ts';
import type { Point } from '../image/similarityTransform.ts';
import { createSession, type SessionSettings } from './createSession.ts';
import type { DistanceMetric, FaceRecognizer } from './FaceRecognizer.ts';
import { type PixelNormalisation, packTensor } from './packTensor.ts';
import { squareImageTensor } from './squareImageTensor.ts';

export interface ChipRecognizerSettings {
  id: string;
  file: string;
  chipSize: number;
  template: readonly Point[];
  pixels: PixelNormalisation;
  metric: DistanceMetric;
  /** Output to read; the first one when absent. */
  outputName?: string;
  /** Models exported NHWC (TF.js ports) take [1,H,W,3] instead of [1,3,H,W]. */
  layout?: 'nchw' | 'nhwc';
}

/**
 * Any recogniser that maps one square aligned chip to one embedding vector:
 * ArcFace/MobileFaceNet 112, SFace 112, face-api's 150×150 ResNet. They differ only
 * in chip framing, pixel normalisation and distance, which the settings carry.
 */
export async function createChipRecognizer(
  settings: ChipRecognizerSettings,
  session: SessionSettings,
): Promise<FaceRecognizer> {
  const model = await createSession(settings.file, session);
  const inputName = model.inputNames[0] as string;
  const outputName = settings.outputName ?? (model.outputNames[0] as string);
  const size = settings.chipSize;
  return {
    id: settings.id,
    chipSize: size,
    template: settings.template,
    metric: settings.metric,
    async embed(chip: RgbImage): Promise<Float32Array> {
      const planar = packTensor(chip, size, size, settings.pixels);
      const input = squareImageTensor(planar, size, settings.layout);
      const outputs = await model.run({ [inputName]: input });
      const out = outputs[outputName];
      if (!out) throw new Error(`recogniser ${settings.id} produced no output "${outputName}"`);
      return Float32Array.from(out.data as Float32Array);
    },
    close: () => model.release(),
  };
}
