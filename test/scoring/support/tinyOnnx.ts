import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Minimal ONNX graphs built in the test itself, so the bring-your-own adapters are
 * exercised through onnxruntime on a machine that has none of the real model files.
 */
type Dims = (number | string)[];

function valueInfo(name: string, dims: Dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function floatTensor(name: string, dims: number[], values: Float32Array) {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
}

function model(
  nodes: InstanceType<typeof onnx.NodeProto>[],
  inputs: ReturnType<typeof valueInfo>[],
  outputs: ReturnType<typeof valueInfo>[],
  initializers: ReturnType<typeof floatTensor>[] = [],
): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'facematch-mock tests',
      opsetImport: [{ domain: '', version: 13 }],
      graph: onnx.GraphProto.create({
        name: 'tiny',
        node: nodes,
        input: inputs,
        output: outputs,
        initializer: initializers,
      }),
    }),
  ).finish();
}

/** A recogniser whose "descriptor" is the per-channel mean of its input: shows order and normalisation. */
export function channelMeanRecognizer(inputName: string, size: number): Uint8Array {
  return model(
    [
      onnx.NodeProto.create({
        opType: 'ReduceMean',
        input: [inputName],
        output: ['embedding'],
        attribute: [
          onnx.AttributeProto.create({
            name: 'axes',
            type: onnx.AttributeProto.AttributeType.INTS,
            ints: [2, 3],
          }),
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
        ],
      }),
    ],
    [valueInfo(inputName, [1, 3, size, size])],
    [valueInfo('embedding', [1, 3])],
  );
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
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const outputs: ReturnType<typeof valueInfo>[] = [];
  const initializers: ReturnType<typeof floatTensor>[] = [];
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
      initializers.push(floatTensor(`${name}_value`, dims, values));
      nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [`${name}_value`], output: [name] }));
      outputs.push(valueInfo(name, dims));
    }
  }
  nodes.push(
    onnx.NodeProto.create({
      opType: 'ReduceMean',
      input: ['input'],
      output: ['input_mean'],
      attribute: [
        onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
      ],
    }),
  );
  outputs.push(valueInfo('input_mean', []));
  return model(nodes, [valueInfo('input', [1, 3, size, size])], outputs, initializers);
}
