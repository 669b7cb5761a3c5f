import type { NetworkSpec } from '../networkSpec.ts';
import { ints, OnnxGraph } from '../onnxGraph.ts';
import { type TfWeightMap, weight } from '../tfjsWeights.ts';
import { conv2d, NO_PADS, normaliseRgb, type Pads, samePads, separableConv2d } from '../tfLayers.ts';

const SIZE = 112;
const MEAN_RGB: [number, number, number] = [122.782, 117.001, 104.298];
const SAME_3X3: Pads = [1, 1, 1, 1];

function separable(
  g: OnnxGraph,
  w: TfWeightMap,
  x: string,
  prefix: string,
  stride: number,
  pads: Pads,
): string {
  return separableConv2d(
    g,
    x,
    weight(w, `${prefix}/depthwise_filter`, 4),
    weight(w, `${prefix}/pointwise_filter`, 4),
    weight(w, `${prefix}/bias`, 1),
    { stride, pads },
  );
}

/**
 * face-api's denseBlock4: a stride-2 entry conv, then three separable convs each fed the ReLU of
 * the running sum of everything before it (a DenseNet-style block with additions, not concats).
 */
function denseBlock4(
  g: OnnxGraph,
  w: TfWeightMap,
  x: string,
  size: number,
  prefix: string,
  first: boolean,
): string {
  // TF 'same' at stride 2 on an even size pads only bottom/right; the pads must say so explicitly.
  const entryPads = samePads(size, size, 3, 2);
  const entry = first
    ? conv2d(g, x, weight(w, `${prefix}/conv0/filters`, 4), weight(w, `${prefix}/conv0/bias`, 1), {
        stride: 2,
        pads: entryPads,
      })
    : separable(g, w, x, `${prefix}/conv0`, 2, entryPads);
  const out1 = g.node('Relu', [entry], {}, `${prefix}/relu1`);
  const out2 = separable(g, w, out1, `${prefix}/conv1`, 1, SAME_3X3);
  const sum12 = g.node('Add', [out1, out2], {}, `${prefix}/sum12`);
  const out3 = separable(
    g,
    w,
    g.node('Relu', [sum12], {}, `${prefix}/relu2`),
    `${prefix}/conv2`,
    1,
    SAME_3X3,
  );
  // Same association order as face-api (out1 + (out2 + out3)), so float rounding matches closely.
  const sum23 = g.node('Add', [out2, out3], {}, `${prefix}/sum23`);
  const sum123 = g.node('Add', [out1, sum23], {}, `${prefix}/sum123`);
  const out4 = separable(
    g,
    w,
    g.node('Relu', [sum123], {}, `${prefix}/relu3`),
    `${prefix}/conv3`,
    1,
    SAME_3X3,
  );
  const sum34 = g.node('Add', [out3, out4], {}, `${prefix}/sum34`);
  const sum234 = g.node('Add', [out2, sum34], {}, `${prefix}/sum234`);
  const sum1234 = g.node('Add', [out1, sum234], {}, `${prefix}/sum1234`);
  return g.node('Relu', [sum1234], {}, `${prefix}/relu4`);
}

function build(w: TfWeightMap): OnnxGraph {
  const g = new OnnxGraph('face_landmark_68');
  const image = g.input('image', ['N', 3, SIZE, SIZE]);
  let x = normaliseRgb(g, image, MEAN_RGB, 255);
  let size = SIZE;
  for (const [i, block] of ['dense0', 'dense1', 'dense2', 'dense3'].entries()) {
    x = denseBlock4(g, w, x, size, block, i === 0);
    size = Math.ceil(size / 2);
  }
  // 7×7 average pool with stride 2 on a 7×7 map: one value per channel.
  const pooled = g.node(
    'AveragePool',
    [x],
    { kernel_shape: ints([7, 7]), strides: ints([2, 2]), pads: ints(NO_PADS) },
    'avg_pool',
  );
  const flat = g.node('Flatten', [pooled], {}, 'flatten');
  const fc = weight(w, 'fc/weights', 2);
  const fcBias = weight(w, 'fc/bias', 1);
  const mm = g.node('MatMul', [flat, g.floats(fc.name, fc.shape, fc.values)], {}, 'fc');
  const fcOut = g.node('Add', [mm, g.floats(fcBias.name, fcBias.shape, fcBias.values)], {}, 'fc/bias');
  g.node('Reshape', [fcOut, g.int64s('landmarks/shape', [-1, 68, 2])], {}, 'landmarks', 'landmarks');
  g.output('landmarks', ['N', 68, 2]);
  return g;
}

export const faceLandmark68: NetworkSpec = {
  name: 'face_landmark_68',
  sourceManifest: 'face_landmark_68_model-weights_manifest.json',
  sourceFiles: [
    'model/face_landmark_68_model-weights_manifest.json',
    'model/face_landmark_68_model.bin',
    'src/faceLandmarkNet/FaceLandmark68Net.ts',
    'src/faceLandmarkNet/FaceLandmark68NetBase.ts',
    'src/faceFeatureExtractor/FaceFeatureExtractor.ts',
    'src/faceFeatureExtractor/denseBlock.ts',
    'src/faceProcessor/FaceProcessor.ts',
    'src/common/depthwiseSeparableConv.ts',
  ],
  weightsProvenance:
    'Trained by the upstream face-api.js author (justadudewhohacks) for face-api.js; a separable-conv ' +
    'DenseNet-style regressor, not a port of a dlib model. Not restated in @vladmandic/face-api.',
  input: {
    name: 'image',
    shape: ['N', 3, SIZE, SIZE],
    layout: 'NCHW, RGB, float32',
    meaning: 'A face crop (the detector box), already square and already 112×112.',
    normalisation: {
      where: 'in-graph',
      callerFeeds: 'RGB values in 0–255 as float32 (no scaling, no mean subtraction).',
      graphComputes: '(x - meanRgb[c]) / 255 per channel c (face-api: normalize(x, meanRgb).div(255)).',
      meanRgb: MEAN_RGB,
      divisor: 255,
    },
    preprocessing:
      'Outside the graph. face-api pads the face crop to square (centred, zeros) and resizes it with ' +
      'tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false) to 112×112.',
  },
  outputs: [
    {
      name: 'landmarks',
      shape: ['N', 68, 2],
      layout: '[batch, point, (x, y)]',
      meaning:
        'The 68 iBUG-order landmarks as fractions (0–1) of the 112×112 input: x of the width, y of the ' +
        'height. This is face-api runNet() output reshaped; its postProcess then maps them onto the ' +
        'unpadded crop: x_crop = (x*112 - padX) / (w*112/max(w,h)), same for y, where padX/padY is half ' +
        'the padding added on that axis in 112-px units (face-api centres the crop when padding).',
    },
  ],
  build,
};
