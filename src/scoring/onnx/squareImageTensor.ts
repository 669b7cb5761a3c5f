import ort from 'onnxruntime-node';
import { planarToNhwc } from './packTensor.ts';

/** A packed square image as a batch-of-one input, in the layout the graph was exported with. */
export function squareImageTensor(
  planar: Float32Array,
  size: number,
  layout: 'nchw' | 'nhwc' | undefined,
): ort.Tensor {
  return layout === 'nhwc'
    ? new ort.Tensor('float32', planarToNhwc(planar, size), [1, size, size, 3])
    : new ort.Tensor('float32', planar, [1, 3, size, size]);
}
