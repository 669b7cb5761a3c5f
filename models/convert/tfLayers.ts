import { type Attribute, int, ints, type OnnxGraph } from './onnxGraph.ts';
import type { TfWeight } from './tfjsWeights.ts';

/** ONNX Conv `pads` order: [top, left, bottom, right]. */
export type Pads = [number, number, number, number];

export const NO_PADS: Pads = [0, 0, 0, 0];

/**
 * TF 'same' padding for a fixed input size. TF puts the odd pixel at the bottom/right, which is
 * what SAME_UPPER means too, but explicit pads keep the graph free of runtime shape inference.
 */
export function samePads(inH: number, inW: number, kernel: number, stride: number): Pads {
  const total = (size: number) => Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  const h = total(inH);
  const w = total(inW);
  return [Math.floor(h / 2), Math.floor(w / 2), h - Math.floor(h / 2), w - Math.floor(w / 2)];
}

/** TF conv filters are HWIO; ONNX Conv wants OIHW. */
function oihw(filter: TfWeight): { dims: number[]; values: Float32Array } {
  const [h, w, i, o] = filter.shape as [number, number, number, number];
  const out = new Float32Array(filter.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < i; c++)
        for (let k = 0; k < o; k++)
          out[((k * i + c) * h + y) * w + x] = filter.values[((y * w + x) * i + c) * o + k] ?? 0;
  return { dims: [o, i, h, w], values: out };
}

/**
 * TF depthwise filters are [H, W, C, multiplier] and output channel c*multiplier+m; ONNX expresses
 * that as a grouped Conv (group = C) with weights [C*multiplier, 1, H, W].
 */
function depthwiseOihw(filter: TfWeight): { dims: number[]; values: Float32Array } {
  const [h, w, c, m] = filter.shape as [number, number, number, number];
  const out = new Float32Array(filter.values.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++)
        for (let k = 0; k < m; k++)
          out[((ch * m + k) * h + y) * w + x] = filter.values[((y * w + x) * c + ch) * m + k] ?? 0;
  return { dims: [c * m, 1, h, w], values: out };
}

interface ConvOptions {
  stride: number;
  pads: Pads;
}

function convAttributes(
  { stride, pads }: ConvOptions,
  kernel: number[],
  group = 1,
): Record<string, Attribute> {
  return {
    kernel_shape: ints(kernel),
    strides: ints([stride, stride]),
    pads: ints(pads),
    dilations: ints([1, 1]),
    group: int(group),
  };
}

/** A TF conv2d (HWIO filter) plus optional bias, as one ONNX Conv. */
export function conv2d(
  g: OnnxGraph,
  x: string,
  filter: TfWeight,
  bias: TfWeight | undefined,
  opts: ConvOptions,
): string {
  const w = oihw(filter);
  const inputs = [x, g.floats(filter.name, w.dims, w.values)];
  if (bias !== undefined) inputs.push(g.floats(bias.name, bias.shape, bias.values));
  return g.node('Conv', inputs, convAttributes(opts, w.dims.slice(2)), filter.name);
}

/** A TF depthwiseConv2d ([H, W, C, multiplier] filter) as a grouped ONNX Conv without bias. */
export function depthwiseConv2d(g: OnnxGraph, x: string, filter: TfWeight, opts: ConvOptions): string {
  const dw = depthwiseOihw(filter);
  const channels = filter.shape[2] ?? 0;
  return g.node(
    'Conv',
    [x, g.floats(filter.name, dw.dims, dw.values)],
    convAttributes(opts, dw.dims.slice(2), channels),
    filter.name,
  );
}

/**
 * TF separableConv2d + bias: a grouped depthwise Conv with the stride and padding, then a 1×1
 * pointwise Conv carrying the bias (adding it after the pointwise step is exactly what TF does).
 */
export function separableConv2d(
  g: OnnxGraph,
  x: string,
  depthwise: TfWeight,
  pointwise: TfWeight,
  bias: TfWeight,
  opts: ConvOptions,
): string {
  const d = depthwiseConv2d(g, x, depthwise, opts);
  return conv2d(g, d, pointwise, bias, { stride: 1, pads: NO_PADS });
}

/** A per-channel vector shaped [C, 1, 1] so it broadcasts over NCHW activations. */
export function perChannel(g: OnnxGraph, vector: TfWeight): string {
  return g.floats(vector.name, [vector.values.length, 1, 1], vector.values);
}

/**
 * face-api's input normalisation, `(rgb - meanRgb) / divisor`, done in the graph so callers feed
 * plain 0–255 RGB floats. Div (not Mul by 1/divisor) keeps the arithmetic identical to TF.js.
 */
export function normaliseRgb(
  g: OnnxGraph,
  image: string,
  meanRgb: [number, number, number],
  divisor: number,
): string {
  const mean = g.floats('preprocess/mean_rgb', [1, 3, 1, 1], Float32Array.from(meanRgb));
  const div = g.floats('preprocess/divisor', [], Float32Array.of(divisor));
  const centred = g.node('Sub', [image, mean], {}, 'preprocess/sub_mean');
  return g.node('Div', [centred, div], {}, 'preprocess/div');
}
