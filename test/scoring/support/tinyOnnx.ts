import { int, ints, OnnxGraph } from '../../../models/convert/onnxGraph.ts';

/**
 * Minimal ONNX graphs built in the test itself (with the converter's own graph
 * builder), so the bring-your-own adapters are exercised through onnxruntime on
 * a machine that has none of the real model files.
 */
const info = { docString: 'facematch-mock test graph', metadata: {} };

/** A recogniser whose "descriptor" is the per-channel mean of its input: shows order and normalisation. */
export function channelMeanRecognizer(inputName: string, size: number): Uint8Array {
  const graph = new OnnxGraph('tiny');
  graph.input(inputName, [1, 3, size, size]);
  const embedding = graph.node(
    'ReduceMean',
    [inputName],
    { axes: ints([2, 3]), keepdims: int(0) },
    'mean',
    'embedding',
  );
  graph.output(embedding, [1, 3]);
  return graph.encode(info);
}

export interface FakeYunetFace {
  stride: 8 | 16 | 32;
  row: number;
  col: number;
  /** cls = obj = this, so OpenCV's score (their geometric mean) equals it. */
  score: number;
  /** Box centre offset in cells and log size in cells. */
  bbox: [number, number, number, number];
}

/**
 * A YuNet-shaped graph for a fixed 640×640 input: the twelve outputs are constants
 * describing the given faces; the input feeds a throwaway output so ONNX Runtime
 * still expects it. Decoding it checks our YuNet arithmetic without the real weights.
 */
export function fakeYunet(faces: FakeYunetFace[], size = 640): Uint8Array {
  const graph = new OnnxGraph('tiny');
  graph.input('input', [1, 3, size, size]);
  for (const stride of [8, 16, 32] as const) {
    const cells = (size / stride) ** 2;
    const cols = size / stride;
    const cls = new Float32Array(cells);
    const bbox = new Float32Array(cells * 4);
    const kps = new Float32Array(cells * 10);
    for (const f of faces.filter((x) => x.stride === stride)) {
      const i = f.row * cols + f.col;
      cls[i] = f.score;
      bbox.set(f.bbox, i * 4);
      // Keypoints on a small upright face pattern around the cell centre.
      kps.set([0.3, 0.3, 0.7, 0.3, 0.5, 0.5, 0.35, 0.75, 0.65, 0.75], i * 10);
    }
    const constants: [string, number[], Float32Array][] = [
      [`cls_${stride}`, [1, cells, 1], cls],
      [`obj_${stride}`, [1, cells, 1], cls],
      [`bbox_${stride}`, [1, cells, 4], bbox],
      [`kps_${stride}`, [1, cells, 10], kps],
    ];
    for (const [name, dims, values] of constants) {
      const value = graph.floats(`${name}_value`, dims, values);
      graph.output(graph.node('Identity', [value], {}, name, name), dims);
    }
  }
  graph.output(graph.node('ReduceMean', ['input'], { keepdims: int(0) }, 'mean', 'input_mean'), []);
  return graph.encode(info);
}
