import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One dequantised tensor from a TF.js weights manifest, in TF's own layout (filters are HWIO). */
export interface TfWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export type TfWeightMap = ReadonlyMap<string, TfWeight>;

interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: Quantization;
}

interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

const storedBytes: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };

/**
 * Reads `<dir>/<manifestFile>` and the .bin shards it names, and dequantises every tensor the way
 * TF.js' own loader does, so the values we put in ONNX are bit-identical to the ones face-api runs on:
 * `q * scale + min` computed in double and stored as float32 (int32 tensors are rounded).
 */
export async function readTfjsWeights(dir: string, manifestFile: string): Promise<TfWeightMap> {
  const groups = JSON.parse(await readFile(join(dir, manifestFile), 'utf8')) as WeightGroup[];
  const weights = new Map<string, TfWeight>();
  for (const group of groups) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    // Weights run on across shard boundaries, so the group is one byte stream.
    const bytes = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const storage = spec.quantization?.dtype ?? spec.dtype;
      const width = storedBytes[storage];
      if (width === undefined)
        throw new Error(`${manifestFile}: ${spec.name} has unsupported dtype ${storage}`);
      const size = count * width;
      if (offset + size > bytes.length) {
        throw new Error(`${manifestFile}: ${spec.name} runs past the end of ${group.paths.join(', ')}`);
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, size);
      weights.set(spec.name, { name: spec.name, shape: spec.shape, values: decode(spec, view, count) });
      offset += size;
    }
  }
  return weights;
}

function decode(spec: WeightSpec, view: DataView, count: number): Float32Array {
  const out = new Float32Array(count);
  const q = spec.quantization;
  const round = spec.dtype === 'int32' ? Math.round : (v: number) => v;
  if (q === undefined) {
    for (let i = 0; i < count; i++) {
      out[i] = spec.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    }
    return out;
  }
  if (q.dtype === 'float16') throw new Error(`${spec.name}: float16 quantisation is not used by face-api`);
  if (q.scale === undefined || q.min === undefined)
    throw new Error(`${spec.name}: quantisation lacks scale/min`);
  for (let i = 0; i < count; i++) {
    const stored = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
    out[i] = round(stored * q.scale + q.min);
  }
  return out;
}

/** Looks a tensor up and checks its rank, so a wrong name fails at conversion, not at inference. */
export function weight(map: TfWeightMap, name: string, rank?: number): TfWeight {
  const found = map.get(name);
  if (found === undefined) throw new Error(`weight ${name} is missing from the TF.js manifest`);
  if (rank !== undefined && found.shape.length !== rank) {
    throw new Error(`weight ${name} has shape [${found.shape}], expected rank ${rank}`);
  }
  return found;
}
