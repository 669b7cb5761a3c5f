import type { NetworkSpec } from '../networkSpec.ts';
import { float, ints, OnnxGraph, str } from '../onnxGraph.ts';
import { type TfWeightMap, weight } from '../tfjsWeights.ts';
import { conv2d, NO_PADS, normaliseRgb, separableConv2d } from '../tfLayers.ts';

const MEAN_RGB: [number, number, number] = [117.001, 114.697, 97.404];
/** face-api's BOX_ANCHORS (tinyFaceDetector/const.ts), in grid-cell units: [width, height]. */
export const TINY_FACE_ANCHORS: [number, number][] = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const IOU_THRESHOLD = 0.4;

/** face-api's leaky: relu(x - 0.1x) + 0.1x, i.e. LeakyRelu with the float32 value of 0.1. */
const LEAKY_ALPHA = 0.10000000149011612;

/**
 * 2×2 max pool with TF 'same' padding. The detector accepts any multiple of 32, and the parity of the
 * pooled maps depends on it (416 → 207 is odd), so padding is decided at run time: SAME_UPPER puts
 * the extra -inf row/column at the bottom/right exactly like TF.
 */
function maxPoolSame(g: OnnxGraph, x: string, stride: number, label: string): string {
  return g.node(
    'MaxPool',
    [x],
    { kernel_shape: ints([2, 2]), strides: ints([stride, stride]), auto_pad: str('SAME_UPPER') },
    label,
  );
}

function separableLeaky(g: OnnxGraph, w: TfWeightMap, x: string, prefix: string): string {
  const out = separableConv2d(
    g,
    x,
    weight(w, `${prefix}/depthwise_filter`, 4),
    weight(w, `${prefix}/pointwise_filter`, 4),
    weight(w, `${prefix}/bias`, 1),
    { stride: 1, pads: [1, 1, 1, 1] },
  );
  return g.node('LeakyRelu', [out], { alpha: float(LEAKY_ALPHA) }, `${prefix}/leaky`);
}

function build(w: TfWeightMap): OnnxGraph {
  const g = new OnnxGraph('tiny_face_detector');
  const image = g.input('image', ['N', 3, 'H', 'W']);
  const x = normaliseRgb(g, image, MEAN_RGB, 255);
  // The first conv is 'valid' in face-api (isFirstLayerConv2d), so 416 becomes 414 before pooling.
  const c0 = conv2d(g, x, weight(w, 'conv0/filters', 4), weight(w, 'conv0/bias', 1), {
    stride: 1,
    pads: NO_PADS,
  });
  let out = maxPoolSame(
    g,
    g.node('LeakyRelu', [c0], { alpha: float(LEAKY_ALPHA) }, 'conv0/leaky'),
    2,
    'pool0',
  );
  for (const [i, block] of ['conv1', 'conv2', 'conv3', 'conv4'].entries()) {
    out = maxPoolSame(g, separableLeaky(g, w, out, block), 2, `pool${i + 1}`);
  }
  out = maxPoolSame(g, separableLeaky(g, w, out, 'conv5'), 1, 'pool5');
  const head = conv2d(g, out, weight(w, 'conv8/filters', 4), weight(w, 'conv8/bias', 1), {
    stride: 1,
    pads: NO_PADS,
  });
  // NCHW [N, 25, gh, gw] → [N, gh, gw, 5 anchors, 5 values]: the layout face-api reshapes to.
  const nhwc = g.node('Transpose', [head], { perm: ints([0, 2, 3, 1]) }, 'grid/nhwc');
  g.node('Reshape', [nhwc, g.int64s('grid/shape', [0, 0, 0, 5, 5])], {}, 'grid', 'grid');
  g.output('grid', ['N', 'H/32', 'W/32', 5, 5]);
  return g;
}

export const tinyFaceDetector: NetworkSpec = {
  name: 'tiny_face_detector',
  sourceManifest: 'tiny_face_detector_model-weights_manifest.json',
  sourceFiles: [
    'model/tiny_face_detector_model-weights_manifest.json',
    'model/tiny_face_detector_model.bin',
    'src/tinyFaceDetector/TinyFaceDetector.ts',
    'src/tinyFaceDetector/const.ts',
    'src/tinyYolov2/TinyYolov2Base.ts',
    'src/tinyYolov2/depthwiseSeparableConv.ts',
    'src/tinyYolov2/leaky.ts',
    'src/common/convLayer.ts',
  ],
  weightsProvenance:
    'Trained by the upstream face-api.js author (justadudewhohacks) for face-api.js: a Tiny-YOLOv2-style ' +
    'single-class face detector with depthwise separable convs. Not restated in @vladmandic/face-api.',
  input: {
    name: 'image',
    shape: ['N', 3, 'H', 'W'],
    layout: 'NCHW, RGB, float32; H = W, a multiple of 32 (face-api default 416; 128–608 are usual)',
    meaning: 'The whole image, padded to square and resized to the chosen input size.',
    normalisation: {
      where: 'in-graph',
      callerFeeds: 'RGB values in 0–255 as float32 (no scaling, no mean subtraction).',
      graphComputes: '(x - meanRgb[c]) / 255 per channel c (face-api: normalize(x, MEAN_RGB).div(255)).',
      meanRgb: MEAN_RGB,
      divisor: 255,
    },
    preprocessing:
      'Outside the graph. face-api pads the image to square with zeros at the bottom or right (NOT ' +
      'centred: toBatchTensor(inputSize, false)) and resizes with tf.image.resizeBilinear(' +
      'alignCorners=false, halfPixelCenters=false) to inputSize×inputSize.',
  },
  outputs: [
    {
      name: 'grid',
      shape: ['N', 'H/32', 'W/32', 5, 5],
      layout: '[batch, row, col, anchor, (tx, ty, tw, th, tobj)]',
      meaning: 'Raw (pre-sigmoid / pre-exp) YOLO-v2 head output, one cell per 32×32 input pixels.',
    },
  ],
  decoding: {
    anchors: TINY_FACE_ANCHORS.map(([w, h]) => ({ w, h })),
    anchorUnits: 'grid cells (multiply by 32 for input pixels)',
    howFaceApiDecodes: [
      'numCells = grid.shape[1] (= inputSize / 32); for every row, col and anchor a:',
      'score = sigmoid(tobj); keep when score > scoreThreshold (face-api default 0.5).',
      'cx = (col + sigmoid(tx)) / numCells * corrX; cy = (row + sigmoid(ty)) / numCells * corrY',
      'w = exp(tw) * anchors[a].w / numCells * corrX; h = exp(th) * anchors[a].h / numCells * corrY',
      'box (relative to the padded square input, 0–1): x = cx - w/2, y = cy - h/2, width w, height h.',
      'corrX = inputSize / scaledWidth and corrY = inputSize / scaledHeight, where scaledWidth = ' +
        'round(width * inputSize / max(width, height)) and likewise scaledHeight (the original image ' +
        'scaled so its longer side is inputSize). Because face-api pads at the bottom/right, this maps boxes ' +
        'to fractions (0–1) of the ORIGINAL image; multiply by its width/height for pixels.',
      'There is no class score (single class): the detection score is sigmoid(tobj).',
      `Non-maximum suppression: greedy by score over boxes scaled to input pixels, IoU threshold ${IOU_THRESHOLD}.`,
    ],
    iouThreshold: IOU_THRESHOLD,
    defaultScoreThreshold: 0.5,
    defaultInputSize: 416,
  },
  build,
};
