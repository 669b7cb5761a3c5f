import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The opset every graph targets: old enough for any onnxruntime of the last years, new enough for Pad/Reshape inputs. */
export const OPSET = 13;

export type Dim = number | string;

/** Attribute values carry their ONNX type explicitly: 1 and 1.0 are the same JS number. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string };

export const int = (value: number): Attribute => ({ kind: 'int', value });
export const ints = (value: number[]): Attribute => ({ kind: 'ints', value });
export const float = (value: number): Attribute => ({ kind: 'float', value });
export const str = (value: string): Attribute => ({ kind: 'string', value });

interface ModelInfo {
  docString: string;
  metadata: Record<string, string>;
}

/**
 * Accumulates one ONNX graph. Node and tensor names come from counters and TF weight names only,
 * so the same weights always serialise to the same bytes (the sha256 in manifest.json relies on it).
 */
export class OnnxGraph {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly taken = new Set<string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), dims));
    return name;
  }

  /** Declares `value` (a node output) as a graph output under its own name. */
  output(value: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(value, dims));
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) throw new Error(`${name}: ${values.length} values for dims [${dims}]`);
    // Explicit little-endian bytes: ONNX raw_data is little-endian whatever machine converts.
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
    this.initializers.push(
      onnx.TensorProto.create({
        name: this.claim(name),
        dims,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: raw,
      }),
    );
    return name;
  }

  int64s(name: string, values: number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i] ?? 0), true);
    this.initializers.push(
      onnx.TensorProto.create({
        name: this.claim(name),
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: raw,
      }),
    );
    return name;
  }

  /**
   * Adds a node and returns the name of its (single) output. `label` makes the graph readable in
   * Netron; `outputName` gives graph outputs their contract names.
   */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, Attribute> = {},
    label = opType,
    outputName?: string,
  ): string {
    const index = this.counter++;
    const out = this.claim(outputName ?? `${label}:${index}`);
    this.nodes.push(
      onnx.NodeProto.create({
        name: `${label}#${index}`,
        opType,
        input: inputs,
        output: [out],
        attribute: Object.entries(attributes).map(([key, attr]) => attribute(key, attr)),
      }),
    );
    return out;
  }

  encode(info: ModelInfo): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'facematch-mock models/convert',
      producerVersion: '1',
      docString: info.docString,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.keys(info.metadata)
        .sort()
        .map((key) => ({ key, value: info.metadata[key] })),
      graph: onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): string {
    if (this.taken.has(name)) throw new Error(`${this.name}: tensor name ${name} used twice`);
    this.taken.add(name);
    return name;
  }
}

function valueInfo(name: string, dims: Dim[]) {
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

function attribute(name: string, attr: Attribute) {
  const { AttributeType } = onnx.AttributeProto;
  switch (attr.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: attr.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: attr.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: attr.value });
    case 'string':
      return onnx.AttributeProto.create({
        name,
        type: AttributeType.STRING,
        s: new TextEncoder().encode(attr.value),
      });
  }
}
