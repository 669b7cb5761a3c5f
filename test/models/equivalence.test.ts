import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertNetwork } from '../../models/convert/convertNetwork.ts';
import { faceApiPackage } from '../../models/convert/faceApiPackage.ts';
import { readManifest } from '../../models/convert/modelManifest.ts';
import { NETWORKS } from '../../models/convert/networks.ts';
import { decodeTinyGrid } from './decodeTinyGrid.ts';
import { type FaceApi, loadFaceApi, tfEngine } from './faceApiReference.ts';
import { type InputPair, maxAbsDiff, photoInput, seededInput } from './inputTensors.ts';

/** The bar the issue sets for every converted network and every output. */
const TOLERANCE = 1e-4;

const source = faceApiPackage();
const samplePhoto = fileURLToPath(new URL('demo/sample1.jpg', `file://${source.root}/`));

let faceapi: FaceApi;
const sessions = new Map<string, ort.InferenceSession>();
let faceRegion: { left: number; top: number; width: number; height: number };
let photoPixels: { data: Int32Array; width: number; height: number };

async function runOnnxAll(network: string, input: InputPair): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = sessions.get(network);
  if (!session) throw new Error(`no session for ${network}`);
  return session.run({ image: new ort.Tensor('float32', input.nchw, [1, 3, input.size, input.size]) });
}

async function runOnnx(network: string, input: InputPair): Promise<ort.Tensor> {
  const [first] = Object.values(await runOnnxAll(network, input));
  if (!first) throw new Error(`${network} produced no output`);
  return first;
}

async function reference(
  run: (x: ReturnType<FaceApi['tf']['tensor3d']>) => Promise<{ data(): Promise<unknown> }>,
  input: InputPair,
) {
  const x = faceapi.tf.tensor3d(input.hwc, [input.size, input.size, 3], 'float32');
  const out = await run(x);
  const values = (await out.data()) as Float32Array;
  tfEngine(faceapi).dispose([x, out as never]);
  return values;
}

beforeAll(async () => {
  faceapi = await loadFaceApi(source.modelDir);
  // Convert in memory: the test proves what the converter emits, whether or not models/onnx exists.
  for (const spec of NETWORKS) {
    const { bytes } = await convertNetwork(spec, source);
    sessions.set(spec.name, await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 }));
  }
  // A real face for the landmark and descriptor nets: the first face face-api itself finds in the sample.
  const { data, info } = await sharp(samplePhoto).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  photoPixels = { data: new Int32Array(data), width: info.width, height: info.height };
  const photo = faceapi.tf.tensor3d(photoPixels.data, [info.height, info.width, 3], 'int32');
  const [face] = await faceapi.nets.tinyFaceDetector.locateFaces(
    photo,
    new faceapi.TinyFaceDetectorOptions(),
  );
  photo.dispose();
  if (!face) throw new Error('face-api found no face in the sample photo');
  const left = Math.max(0, Math.round(face.box.x));
  const top = Math.max(0, Math.round(face.box.y));
  faceRegion = {
    left,
    top,
    width: Math.min(info.width - left, Math.round(face.box.width)),
    height: Math.min(info.height - top, Math.round(face.box.height)),
  };
});

describe('tiny_face_detector matches face-api TinyFaceDetector.forward', () => {
  it.each([
    ['the sample photo at 416', () => photoInput(samplePhoto, 416)],
    ['seeded noise at 416', async () => seededInput(416, 1)],
    // Other input sizes exercise the graph's symbolic H/W and its run-time SAME_UPPER pooling.
    ['the sample photo at 608', () => photoInput(samplePhoto, 608)],
    ['seeded noise at 320', async () => seededInput(320, 2)],
  ])('on %s', async (_label, makeInput) => {
    const input = await makeInput();
    const ours = await runOnnx('tiny_face_detector', input);
    const cells = input.size / 32;
    expect(ours.dims).toEqual([1, cells, cells, 5, 5]);
    const ref = await reference((x) => faceapi.nets.tinyFaceDetector.forward(x, input.size), input);
    expect(maxAbsDiff(ours.data as Float32Array, ref)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('face_landmark_68 matches face-api FaceLandmark68Net.runNet', () => {
  it.each([
    ['a face from the sample photo', () => photoInput(samplePhoto, 112, faceRegion)],
    ['seeded noise', async () => seededInput(112, 3)],
  ])('on %s', async (_label, makeInput) => {
    const input = await makeInput();
    const ours = await runOnnx('face_landmark_68', input);
    expect(ours.dims).toEqual([1, 68, 2]);
    const ref = await reference(
      async (x) => faceapi.nets.faceLandmark68Net.runNet(await faceapi.toNetInput(x)),
      input,
    );
    expect(maxAbsDiff(ours.data as Float32Array, ref)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('face_recognition matches face-api FaceRecognitionNet.forward', () => {
  it.each([
    ['a face from the sample photo', () => photoInput(samplePhoto, 150, faceRegion)],
    ['seeded noise', async () => seededInput(150, 4)],
  ])('on %s', async (_label, makeInput) => {
    const input = await makeInput();
    const ours = await runOnnx('face_recognition', input);
    expect(ours.dims).toEqual([1, 128]);
    const ref = await reference((x) => faceapi.nets.faceRecognitionNet.forward(x), input);
    expect(maxAbsDiff(ours.data as Float32Array, ref)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('ssd_mobilenetv1 matches face-api SsdMobilenetv1.forward', () => {
  it.each([
    ['the sample photo', () => photoInput(samplePhoto, 512)],
    ['seeded noise', async () => seededInput(512, 5)],
  ])('on %s', async (_label, makeInput) => {
    const input = await makeInput();
    const ours = await runOnnxAll('ssd_mobilenetv1', input);
    expect(ours.boxes?.dims).toEqual([1, 5118, 4]);
    expect(ours.scores?.dims).toEqual([1, 5118]);
    const x = faceapi.tf.tensor3d(input.hwc, [input.size, input.size, 3], 'float32');
    const ref = await faceapi.nets.ssdMobilenetv1.forward(x);
    const [boxes] = ref.boxes;
    const [scores] = ref.scores;
    expect(maxAbsDiff(ours.boxes?.data as Float32Array, (await boxes?.data()) ?? [])).toBeLessThanOrEqual(
      TOLERANCE,
    );
    expect(maxAbsDiff(ours.scores?.data as Float32Array, (await scores?.data()) ?? [])).toBeLessThanOrEqual(
      TOLERANCE,
    );
    tfEngine(faceapi).dispose([x, ref.boxes, ref.scores]);
  });
});

describe('tiny_face_detector decoding documented in models/manifest.json', () => {
  it('turns our grid into the same faces face-api locates', async () => {
    const { decoding } = (await readManifest()).networks?.tiny_face_detector ?? {};
    const doc = decoding as {
      anchors: { w: number; h: number }[];
      iouThreshold: number;
      defaultScoreThreshold: number;
    };
    const inputSize = 416;
    const { tf } = faceapi;
    const photo = tf.tensor3d(photoPixels.data, [photoPixels.height, photoPixels.width, 3], 'int32');
    // face-api's own padding and resize, so only the graph and the decoding differ between the two sides.
    const batch = (await faceapi.toNetInput(photo)).toBatchTensor(inputSize, false);
    const nchw = tf.transpose(batch, [0, 3, 1, 2]);
    const pixels = (await nchw.data()) as Float32Array;
    const ours = await runOnnx('tiny_face_detector', {
      nchw: pixels,
      hwc: new Float32Array(),
      size: inputSize,
    });
    const decoded = decodeTinyGrid(
      ours.data as Float32Array,
      inputSize / 32,
      doc.anchors,
      photoPixels,
      inputSize,
      doc.defaultScoreThreshold,
      doc.iouThreshold,
    );
    const theirs = await faceapi.nets.tinyFaceDetector.locateFaces(
      photo,
      new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: doc.defaultScoreThreshold }),
    );
    tfEngine(faceapi).dispose([photo, batch, nchw]);

    expect(theirs.length).toBeGreaterThan(0);
    expect(decoded).toHaveLength(theirs.length);
    const byScore = [...theirs].sort((a, b) => b.score - a.score);
    for (const [i, face] of byScore.entries()) {
      const mine = decoded[i];
      const rel = face.relativeBox;
      expect(mine?.score).toBeCloseTo(face.score, 4);
      expect(mine?.x).toBeCloseTo(rel.x, 4);
      expect(mine?.y).toBeCloseTo(rel.y, 4);
      expect(mine?.width).toBeCloseTo(rel.width, 4);
      expect(mine?.height).toBeCloseTo(rel.height, 4);
    }
  });
});
