import { z } from 'zod';

/**
 * The shape of a model set in models/manifest.json (`byo.sets.<name>`) or in a
 * partner's own manifest file. `file` paths are relative to the manifest.
 * Pixel conventions default per `kind` to the network's published preprocessing;
 * override them when an export differs.
 */
const pixels = {
  channelOrder: z.enum(['rgb', 'bgr']).optional(),
  /** Per-channel in RGB order, or one number for all three. */
  mean: z.union([z.number(), z.tuple([z.number(), z.number(), z.number()])]).optional(),
  std: z.union([z.number(), z.tuple([z.number(), z.number(), z.number()])]).optional(),
};

export const detectorSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('yunet'),
    file: z.string(),
    inputSize: z.number().int().positive().default(640),
    dynamic: z.boolean().default(false),
    scoreThreshold: z.number().default(0.6),
    nmsIou: z.number().default(0.4),
  }),
  z.object({
    kind: z.literal('scrfd'),
    file: z.string(),
    inputSize: z.number().int().positive().default(640),
    scoreThreshold: z.number().default(0.5),
    nmsIou: z.number().default(0.4),
  }),
  z.object({
    kind: z.literal('faceapi-tiny'),
    file: z.string(),
    /** The fine pass, face-api's default size: finds faces down to ~1/10 of the photo. */
    inputSize: z.number().int().positive().default(416),
    /**
     * The coarse pass, run first. The tiny detector's 32 px cells and anchors suit a
     * limited face-size range: on the dev set a 100 px face in a 250 px photo scored
     * 0.27 at 416 (a small background face won) but 0.93 at 224. A face covering at
     * least `coarseEnough` of the photo's long side at 224 is trusted without the fine
     * pass, which costs four times as much; otherwise both passes are merged.
     */
    coarseInputSize: z.number().int().positive().default(224),
    coarseEnough: z.number().default(0.2),
    /** Tried, in order, only when both passes find nothing (faces filling the frame). */
    fallbackInputSizes: z.array(z.number().int().positive()).default([160]),
    scoreThreshold: z.number().default(0.5),
    nmsIou: z.number().default(0.4),
    inputName: z.string().optional(),
    outputName: z.string().optional(),
    layout: z.enum(['nchw', 'nhwc']).default('nhwc'),
    /** Set when the graph already subtracts the mean and scales (then pass raw 0–255). */
    normalisedInGraph: z.boolean().default(false),
    anchors: z.array(z.tuple([z.number(), z.number()])).optional(),
    meanRgb: z.tuple([z.number(), z.number(), z.number()]).optional(),
    scale: z.number().optional(),
  }),
]);

export const landmarkSpecSchema = z.object({
  kind: z.literal('faceapi-68'),
  file: z.string(),
  inputSize: z.number().int().positive().default(112),
  inputName: z.string().optional(),
  outputName: z.string().optional(),
  layout: z.enum(['nchw', 'nhwc']).default('nhwc'),
  normalisedInGraph: z.boolean().default(false),
  meanRgb: z.tuple([z.number(), z.number(), z.number()]).optional(),
  scale: z.number().optional(),
});

export const recognizerSpecSchema = z.object({
  kind: z.enum(['arcface112', 'sface', 'facenet150']),
  file: z.string(),
  ...pixels,
  metric: z.enum(['cosine', 'euclidean']).optional(),
  outputName: z.string().optional(),
  layout: z.enum(['nchw', 'nhwc']).optional(),
});

export const modelSetSpecSchema = z.object({
  detector: detectorSpecSchema,
  landmarks: landmarkSpecSchema.optional(),
  recognizer: recognizerSpecSchema,
});

export type DetectorSpec = z.infer<typeof detectorSpecSchema>;
export type LandmarkSpec = z.infer<typeof landmarkSpecSchema>;
export type RecognizerSpec = z.infer<typeof recognizerSpecSchema>;
export type ModelSetSpec = z.infer<typeof modelSetSpecSchema>;
/** What callers write: defaults may be left out. */
export type ModelSetInput = z.input<typeof modelSetSpecSchema>;

export const byoSectionSchema = z.object({
  /** Set used when a caller asks for "byo" without naming one. */
  default: z.string().optional(),
  sets: z.record(z.string(), modelSetSpecSchema),
});
