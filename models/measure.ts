/**
 * Prints the figures models/README.md quotes: per network, max |diff| between our ONNX graph and
 * face-api's TF.js net on a real face and on seeded noise, and the median latency of each over 20
 * runs (batch 1, onnxruntime-node with 1 intra-op thread vs TF.js wasm, which is single-threaded in
 * Node). Not a test: timings vary by machine.   npx tsx models/measure.ts
 */
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { type FaceApi, loadFaceApi, tfEngine } from '../test/models/faceApiReference.ts';
import { type InputPair, maxAbsDiff, photoInput, seededInput } from '../test/models/inputTensors.ts';
import { convertNetwork } from './convert/convertNetwork.ts';
import { faceApiPackage } from './convert/faceApiPackage.ts';
import { NETWORKS } from './convert/networks.ts';

const RUNS = 20;
const WARMUP = 3;

type Tf3 = ReturnType<FaceApi['tf']['tensor3d']>;
type Reference = (faceapi: FaceApi, x: Tf3, size: number) => Promise<{ data(): Promise<unknown> }>;

const references: Record<string, { size: number; run: Reference }> = {
  tiny_face_detector: { size: 416, run: (f, x, size) => f.nets.tinyFaceDetector.forward(x, size) },
  face_landmark_68: {
    size: 112,
    run: async (f, x) => f.nets.faceLandmark68Net.runNet(await f.toNetInput(x)),
  },
  face_recognition: { size: 150, run: (f, x) => f.nets.faceRecognitionNet.forward(x) },
  // SSD has two outputs; boxes and scores are concatenated on both sides for one max |diff|.
  ssd_mobilenetv1: {
    size: 512,
    run: async (f, x) => {
      const { boxes, scores } = await f.nets.ssdMobilenetv1.forward(x);
      return f.tf.concat([f.tf.reshape(boxes[0] as never, [-1]), scores[0] as never]);
    },
  },
};

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return ((times[RUNS / 2 - 1] ?? 0) + (times[RUNS / 2] ?? 0)) / 2;
}

async function main() {
  const source = faceApiPackage();
  const faceapi = await loadFaceApi(source.modelDir);
  const photo = `${source.root}/demo/sample1.jpg`;
  const { data, info } = await sharp(photo).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const whole = faceapi.tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
  const faces = await faceapi.nets.tinyFaceDetector.locateFaces(whole, new faceapi.TinyFaceDetectorOptions());
  whole.dispose();
  const box = faces[0]?.box;
  if (!box) throw new Error('no face in the sample');
  const region = {
    left: Math.round(box.x),
    top: Math.round(box.y),
    width: Math.round(box.width),
    height: Math.round(box.height),
  };
  console.log(
    `machine: ${cpus()[0]?.model} ×${cpus().length}, node ${process.version}, ORT ${ort.env.versions.common}`,
  );
  console.log(
    `sample: demo/sample1.jpg, ${faces.length} faces found by face-api; face crop ${JSON.stringify(region)}`,
  );
  console.log('network | max|diff| photo | max|diff| noise | ONNX median ms | TF.js wasm median ms');
  for (const spec of NETWORKS) {
    const ref = references[spec.name];
    if (!ref) continue;
    const session = await ort.InferenceSession.create((await convertNetwork(spec, source)).bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    const inputs: InputPair[] = [
      await photoInput(
        photo,
        ref.size,
        spec.name.endsWith('detector') || spec.name.startsWith('ssd') ? undefined : region,
      ),
      seededInput(ref.size, 7),
    ];
    const onnxRun = async (input: InputPair) => {
      const out = await session.run({
        image: new ort.Tensor('float32', input.nchw, [1, 3, input.size, input.size]),
      });
      const parts = session.outputNames.map((name) => out[name]?.data as Float32Array);
      return parts.length === 1
        ? (parts[0] as Float32Array)
        : Float32Array.from(parts.flatMap((p) => Array.from(p)));
    };
    const tfRun = async (input: InputPair) => {
      const x = faceapi.tf.tensor3d(input.hwc, [input.size, input.size, 3], 'float32');
      const out = await ref.run(faceapi, x, input.size);
      const values = (await out.data()) as Float32Array;
      tfEngine(faceapi).dispose([x, out]);
      return values;
    };
    const diffs: number[] = [];
    for (const input of inputs) diffs.push(maxAbsDiff(await onnxRun(input), await tfRun(input)));
    const [face] = inputs as [InputPair];
    const onnxMs = await median(() => onnxRun(face));
    const tfMs = await median(() => tfRun(face));
    console.log(
      `${spec.name} (${ref.size}×${ref.size}) | ${diffs.map((d) => d.toExponential(2)).join(' | ')} | ` +
        `${onnxMs.toFixed(2)} | ${tfMs.toFixed(2)}`,
    );
  }
}

await main();
