import type { NetworkSpec } from '../networkSpec.ts';
import { float, int, ints, OnnxGraph } from '../onnxGraph.ts';
import { type TfWeight, type TfWeightMap, weight } from '../tfjsWeights.ts';
import { conv2d, depthwiseConv2d, type Pads, samePads } from '../tfLayers.ts';

const SIZE = 512;
const BN_EPSILON = 0.0010000000474974513;
const ANCHORS = 5118;
/** MobileNetV1 layers whose depthwise conv has stride 2 (face-api mobileNetV1.ts). */
const STRIDE_2_LAYERS = new Set([2, 4, 6, 12]);

function relu6(g: OnnxGraph, x: string, label: string): string {
  return g.node('Clip', [x, 'relu6/min', 'relu6/max'], {}, `${label}/relu6`);
}

/** face-api's pointwiseConvLayer: conv 'same' (1×1 or 3×3), + folded-BN offset, clip to [0, 6]. */
function pointwise(g: OnnxGraph, w: TfWeightMap, x: string, prefix: string, size: number, stride: number) {
  const filter = weight(w, `${prefix}/weights`, 4);
  const pads = samePads(size, size, filter.shape[0] ?? 1, stride);
  const out = conv2d(g, x, filter, weight(w, `${prefix}/convolution_bn_offset`, 1), { stride, pads });
  return { value: relu6(g, out, prefix), size: Math.ceil(size / stride) };
}

/** Depthwise 3×3 'same' conv, inference BatchNorm, clip to [0, 6]. */
function depthwise(g: OnnxGraph, w: TfWeightMap, x: string, prefix: string, size: number, stride: number) {
  const pads: Pads = samePads(size, size, 3, stride);
  const out = depthwiseConv2d(g, x, weight(w, `${prefix}/depthwise_weights`, 4), { stride, pads });
  const bn = (name: string): string => {
    const v: TfWeight = weight(w, `${prefix}/BatchNorm/${name}`, 1);
    return g.floats(v.name, v.shape, v.values);
  };
  const normed = g.node(
    'BatchNormalization',
    [out, bn('gamma'), bn('beta'), bn('moving_mean'), bn('moving_variance')],
    { epsilon: float(BN_EPSILON) },
    `${prefix}/bn`,
  );
  return { value: relu6(g, normed, prefix), size: Math.ceil(size / stride) };
}

/** One SSD head: box encodings [N, cells·anchors, 4] and class logits [N, cells·anchors, 3], cell-major like TF's NHWC reshape. */
function boxPredictor(g: OnnxGraph, w: TfWeightMap, x: string, index: number) {
  const head = (kind: string, width: number) => {
    const prefix = `Prediction/BoxPredictor_${index}/${kind}`;
    const out = conv2d(g, x, weight(w, `${prefix}/weights`, 4), weight(w, `${prefix}/biases`, 1), {
      stride: 1,
      pads: [0, 0, 0, 0],
    });
    const nhwc = g.node('Transpose', [out], { perm: ints([0, 2, 3, 1]) }, `${prefix}/nhwc`);
    return g.node('Reshape', [nhwc, `ssd/shape${width}`], {}, `${prefix}/flat`);
  };
  return { boxes: head('BoxEncodingPredictor', 4), classes: head('ClassPredictor', 3) };
}

/**
 * face-api's outputLayer, in the graph: anchors are (ymin, xmin, ymax, xmax); encodings are
 * (ty, tx, th, tw) with variances 10 and 5. Anchor centres and sizes are constants, computed in
 * float32 the way TF.js computes them at run time.
 */
function decodeBoxes(g: OnnxGraph, w: TfWeightMap, encodings: string): string {
  const anchors = weight(w, 'Output/extra_dim', 3).values;
  const centres = new Float32Array(ANCHORS * 2);
  const sizes = new Float32Array(ANCHORS * 2);
  for (let i = 0; i < ANCHORS; i++) {
    for (const axis of [0, 1]) {
      const lo = anchors[i * 4 + axis] ?? 0;
      const size = Math.fround((anchors[i * 4 + axis + 2] ?? 0) - lo);
      sizes[i * 2 + axis] = size;
      centres[i * 2 + axis] = Math.fround(lo + Math.fround(size / 2));
    }
  }
  const centre = g.floats('Output/anchor_centres', [1, ANCHORS, 2], centres);
  const size = g.floats('Output/anchor_sizes', [1, ANCHORS, 2], sizes);
  const slice = (from: number, label: string) =>
    g.node(
      'Slice',
      [encodings, g.int64s(`${label}/starts`, [from]), g.int64s(`${label}/ends`, [from + 2]), 'ssd/axis2'],
      {},
      label,
    );
  const offsets = slice(0, 'decode/offsets');
  const scales = slice(2, 'decode/scales');
  const scalar = (name: string, v: number) => g.floats(name, [], Float32Array.of(v));
  const ten = scalar('decode/ten', 10);
  const five = scalar('decode/five', 5);
  const two = scalar('decode/two', 2);
  const mid = g.node(
    'Add',
    [g.node('Mul', [g.node('Div', [offsets, ten], {}, 'decode/div10'), size], {}, 'decode/mul_size'), centre],
    {},
    'decode/centre',
  );
  const expd = g.node('Exp', [g.node('Div', [scales, five], {}, 'decode/div5')], {}, 'decode/exp');
  const half = g.node('Div', [g.node('Mul', [expd, size], {}, 'decode/mul_size2'), two], {}, 'decode/half');
  const low = g.node('Sub', [mid, half], {}, 'decode/low');
  const high = g.node('Add', [mid, half], {}, 'decode/high');
  return g.node('Concat', [low, high], { axis: int(2) }, 'decode/boxes', 'boxes');
}

function build(w: TfWeightMap): OnnxGraph {
  const g = new OnnxGraph('ssd_mobilenetv1');
  const image = g.input('image', ['N', 3, SIZE, SIZE]);
  g.floats('relu6/min', [], Float32Array.of(0));
  g.floats('relu6/max', [], Float32Array.of(6));
  g.int64s('ssd/shape4', [0, -1, 4]);
  g.int64s('ssd/shape3', [0, -1, 3]);
  g.int64s('ssd/axis2', [2]);
  // face-api: tf.sub(tf.div(x, 127.5), 1), same op order here.
  const scaled = g.node(
    'Div',
    [image, g.floats('preprocess/divisor', [], Float32Array.of(127.5))],
    {},
    'preprocess/div',
  );
  const x = g.node('Sub', [scaled, g.floats('preprocess/one', [], Float32Array.of(1))], {}, 'preprocess/sub');

  let t = pointwise(g, w, x, 'MobilenetV1/Conv2d_0_pointwise', SIZE, 2);
  let conv11 = t.value;
  for (let i = 1; i <= 13; i++) {
    t = depthwise(g, w, t.value, `MobilenetV1/Conv2d_${i}_depthwise`, t.size, STRIDE_2_LAYERS.has(i) ? 2 : 1);
    t = pointwise(g, w, t.value, `MobilenetV1/Conv2d_${i}_pointwise`, t.size, 1);
    if (i === 11) conv11 = t.value;
  }
  const features = t.value;
  // Extra feature maps: 16 → 8 → 4 → 2 → 1, each a 1×1 bottleneck then a 3×3 stride-2 conv.
  const extra: string[] = [];
  let e = pointwise(g, w, features, 'Prediction/Conv2d_0_pointwise', t.size, 1);
  for (let i = 1; i <= 7; i++) {
    e = pointwise(g, w, e.value, `Prediction/Conv2d_${i}_pointwise`, e.size, i % 2 === 1 ? 2 : 1);
    if (i % 2 === 1) extra.push(e.value);
  }
  const heads = [conv11, features, ...extra].map((map, i) => boxPredictor(g, w, map, i));
  const encodings = g.node(
    'Concat',
    heads.map((h) => h.boxes),
    { axis: int(1) },
    'Prediction/boxes',
  );
  const classes = g.node(
    'Concat',
    heads.map((h) => h.classes),
    { axis: int(1) },
    'Prediction/classes',
  );
  decodeBoxes(g, w, encodings);
  // Class 0 is background; face-api's score is sigmoid of the face logit (class 1).
  const face = g.node(
    'Gather',
    [classes, g.int64s('ssd/face_class', [1])],
    { axis: int(2) },
    'scores/face_logit',
  );
  const flat = g.node('Reshape', [face, g.int64s('scores/shape', [0, -1])], {}, 'scores/flat');
  g.node('Sigmoid', [flat], {}, 'scores', 'scores');
  g.output('boxes', ['N', ANCHORS, 4]);
  g.output('scores', ['N', ANCHORS]);
  return g;
}

export const ssdMobilenetv1: NetworkSpec = {
  name: 'ssd_mobilenetv1',
  sourceManifest: 'ssd_mobilenetv1_model-weights_manifest.json',
  sourceFiles: [
    'model/ssd_mobilenetv1_model-weights_manifest.json',
    'model/ssd_mobilenetv1_model.bin',
    'src/ssdMobilenetv1/SsdMobilenetv1.ts',
    'src/ssdMobilenetv1/mobileNetV1.ts',
    'src/ssdMobilenetv1/pointwiseConvLayer.ts',
    'src/ssdMobilenetv1/predictionLayer.ts',
    'src/ssdMobilenetv1/boxPredictionLayer.ts',
    'src/ssdMobilenetv1/outputLayer.ts',
    'src/ssdMobilenetv1/nonMaxSuppression.ts',
  ],
  weightsProvenance:
    'SSD MobileNetV1 face detector, trained by the upstream face-api.js author (on WIDER FACE, per face-api.js ' +
    'documentation) with the TensorFlow Object Detection API. Not restated in @vladmandic/face-api.',
  input: {
    name: 'image',
    shape: ['N', 3, SIZE, SIZE],
    layout: 'NCHW, RGB, float32',
    meaning: 'The whole image, padded to square and resized to 512×512.',
    normalisation: {
      where: 'in-graph',
      callerFeeds: 'RGB values in 0–255 as float32 (no scaling, no mean subtraction).',
      graphComputes: 'x / 127.5 - 1 (face-api: tf.sub(tf.div(x, 127.5), 1)), i.e. (x - 127.5) / 127.5.',
      meanRgb: [127.5, 127.5, 127.5],
      divisor: 127.5,
    },
    preprocessing:
      'Outside the graph. face-api pads the image to square with zeros at the bottom or right (NOT ' +
      'centred: toBatchTensor(512, false)) and resizes with tf.image.resizeBilinear(alignCorners=false, ' +
      'halfPixelCenters=false) to 512×512.',
  },
  outputs: [
    {
      name: 'boxes',
      shape: ['N', ANCHORS, 4],
      layout: '[batch, anchor, (ymin, xmin, ymax, xmax)]',
      meaning: 'Decoded boxes, fractions of the padded square input, not clipped.',
    },
    {
      name: 'scores',
      shape: ['N', ANCHORS],
      layout: '[batch, anchor]',
      meaning: 'Face probability per anchor (sigmoid of the face-class logit).',
    },
  ],
  decoding: {
    howFaceApiDecodes: [
      'Candidates: scores > minConfidence (default 0.5), sorted by score descending, at most maxResults (default 100).',
      'Greedy NMS at IoU 0.5: a candidate is kept unless it overlaps a kept box with IoU > 0.5.',
      'Clip: top = max(0, ymin), bottom = min(1, ymax), left = max(0, xmin), right = min(1, xmax).',
      'Undo the bottom/right padding: multiply y by padY = 512 / round(height * 512 / max(width, height)) ' +
        'and x by padX = 512 / round(width * 512 / max(width, height)); the box is then a fraction of the ' +
        'ORIGINAL image (multiply by its width/height for pixels).',
    ],
    iouThreshold: 0.5,
    defaultScoreThreshold: 0.5,
    defaultMaxResults: 100,
  },
  build,
};
