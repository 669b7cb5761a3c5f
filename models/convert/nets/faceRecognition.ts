import type { NetworkSpec } from '../networkSpec.ts';
import { int, ints, OnnxGraph } from '../onnxGraph.ts';
import { type TfWeightMap, weight } from '../tfjsWeights.ts';
import { conv2d, NO_PADS, normaliseRgb, type Pads, perChannel } from '../tfLayers.ts';

const SIZE = 150;
const MEAN_RGB: [number, number, number] = [122.782, 117.001, 104.298];
const SAME_3X3: Pads = [1, 1, 1, 1];

interface Tensor {
  value: string;
  channels: number;
  size: number;
}

/** conv + bias, then the dlib "affine" scale layer (x * weights + biases), then optional ReLU. */
function convScale(
  g: OnnxGraph,
  w: TfWeightMap,
  x: string,
  prefix: string,
  stride: number,
  pads: Pads,
  relu: boolean,
) {
  const conv = conv2d(g, x, weight(w, `${prefix}/conv/filters`, 4), weight(w, `${prefix}/conv/bias`, 1), {
    stride,
    pads,
  });
  const scaled = g.node(
    'Mul',
    [conv, perChannel(g, weight(w, `${prefix}/scale/weights`, 1))],
    {},
    `${prefix}/scale`,
  );
  const shifted = g.node(
    'Add',
    [scaled, perChannel(g, weight(w, `${prefix}/scale/biases`, 1))],
    {},
    `${prefix}/shift`,
  );
  return relu ? g.node('Relu', [shifted], {}, `${prefix}/relu`) : shifted;
}

function residual(g: OnnxGraph, w: TfWeightMap, x: Tensor, prefix: string): Tensor {
  const a = convScale(g, w, x.value, `${prefix}/conv1`, 1, SAME_3X3, true);
  const b = convScale(g, w, a, `${prefix}/conv2`, 1, SAME_3X3, false);
  const sum = g.node('Add', [b, x.value], {}, `${prefix}/add`);
  return { ...x, value: g.node('Relu', [sum], {}, `${prefix}/relu`) };
}

/**
 * face-api's residualDown: the main path is a 3×3 stride-2 'valid' conv, the shortcut a 2×2 average
 * pool. When the two disagree in size (8→3 vs 4, 4→1 vs 2 at 150 px) face-api appends a zero row
 * and column to the main path; when channels double it appends zero channels to the shortcut.
 */
function residualDown(g: OnnxGraph, w: TfWeightMap, x: Tensor, prefix: string): Tensor {
  const channels = weight(w, `${prefix}/conv1/conv/filters`, 4).shape[3] ?? 0;
  const a = convScale(g, w, x.value, `${prefix}/conv1`, 2, NO_PADS, true);
  let main = convScale(g, w, a, `${prefix}/conv2`, 1, SAME_3X3, false);
  const mainSize = Math.floor((x.size - 3) / 2) + 1;
  const poolSize = Math.floor((x.size - 2) / 2) + 1;
  if (mainSize !== poolSize) {
    const grow = poolSize - mainSize;
    main = g.node(
      'Pad',
      [main, g.int64s(`${prefix}/pad_hw`, [0, 0, 0, 0, 0, 0, grow, grow])],
      {},
      `${prefix}/pad_hw`,
    );
  }
  let shortcut = g.node(
    'AveragePool',
    [x.value],
    { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints(NO_PADS) },
    `${prefix}/shortcut_pool`,
  );
  if (channels !== x.channels) {
    const extra = channels - x.channels;
    shortcut = g.node(
      'Pad',
      [shortcut, g.int64s(`${prefix}/pad_c`, [0, 0, 0, 0, 0, extra, 0, 0])],
      {},
      `${prefix}/pad_c`,
    );
  }
  const sum = g.node('Add', [main, shortcut], {}, `${prefix}/add`);
  return { value: g.node('Relu', [sum], {}, `${prefix}/relu`), channels, size: poolSize };
}

function build(w: TfWeightMap): OnnxGraph {
  const g = new OnnxGraph('face_recognition');
  const image = g.input('image', ['N', 3, SIZE, SIZE]);
  const x = normaliseRgb(g, image, MEAN_RGB, 255);
  const stem = convScale(g, w, x, 'conv32_down', 2, NO_PADS, true);
  const stemSize = Math.floor((SIZE - 7) / 2) + 1;
  const pooled = g.node(
    'MaxPool',
    [stem],
    { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints(NO_PADS) },
    'conv32_down/max_pool',
  );
  let t: Tensor = { value: pooled, channels: 32, size: Math.floor((stemSize - 3) / 2) + 1 };
  for (const block of ['conv32_1', 'conv32_2', 'conv32_3']) t = residual(g, w, t, block);
  t = residualDown(g, w, t, 'conv64_down');
  for (const block of ['conv64_1', 'conv64_2', 'conv64_3']) t = residual(g, w, t, block);
  t = residualDown(g, w, t, 'conv128_down');
  for (const block of ['conv128_1', 'conv128_2']) t = residual(g, w, t, block);
  t = residualDown(g, w, t, 'conv256_down');
  for (const block of ['conv256_1', 'conv256_2']) t = residual(g, w, t, block);
  t = residualDown(g, w, t, 'conv256_down_out');
  // face-api averages over H and W (including the zero row/column appended above), then a bias-free FC.
  const avg = g.node('ReduceMean', [t.value], { axes: ints([2, 3]), keepdims: int(0) }, 'global_avg');
  const fc = weight(w, 'fc', 2);
  g.node('MatMul', [avg, g.floats('fc', fc.shape, fc.values)], {}, 'fc', 'descriptor');
  g.output('descriptor', ['N', 128]);
  return g;
}

export const faceRecognition: NetworkSpec = {
  name: 'face_recognition',
  sourceManifest: 'face_recognition_model-weights_manifest.json',
  sourceFiles: [
    'model/face_recognition_model-weights_manifest.json',
    'model/face_recognition_model.bin',
    'src/faceRecognitionNet/FaceRecognitionNet.ts',
    'src/faceRecognitionNet/residualLayer.ts',
    'src/faceRecognitionNet/convLayer.ts',
    'src/faceRecognitionNet/scaleLayer.ts',
  ],
  weightsProvenance:
    "Upstream face-api.js (justadudewhohacks) describes this net as a port of dlib's ResNet-34-like face " +
    'recognition model (dlib_face_recognition_resnet_model_v1, 99.38% on LFW per dlib). Not restated in @vladmandic/face-api.',
  input: {
    name: 'image',
    shape: ['N', 3, SIZE, SIZE],
    layout: 'NCHW, RGB, float32',
    meaning: 'An aligned face chip, already square and already 150×150.',
    normalisation: {
      where: 'in-graph',
      callerFeeds: 'RGB values in 0–255 as float32 (no scaling, no mean subtraction).',
      graphComputes: '(x - meanRgb[c]) / 255 per channel c (face-api: normalize(x, meanRgb).div(255)).',
      meanRgb: MEAN_RGB,
      divisor: 255,
    },
    preprocessing:
      'Outside the graph. face-api feeds a face crop padded to square (centred, zeros) and resized with ' +
      'tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false) to 150×150.',
  },
  outputs: [
    {
      name: 'descriptor',
      shape: ['N', 128],
      layout: '[batch, 128]',
      meaning:
        'Face descriptor, NOT L2-normalised (face-api compares raw descriptors by Euclidean distance; ' +
        'its default same-person threshold is 0.6).',
    },
  ],
  build,
};
