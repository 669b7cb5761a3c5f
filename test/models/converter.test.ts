import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertNetwork } from '../../models/convert/convertNetwork.ts';
import { faceApiPackage } from '../../models/convert/faceApiPackage.ts';
import { networkEntry, readManifest, writeNetworkEntries } from '../../models/convert/modelManifest.ts';
import { NETWORKS } from '../../models/convert/networks.ts';
import { readTfjsWeights } from '../../models/convert/tfjsWeights.ts';
import { type FaceApi, tfEngine } from './faceApiReference.ts';

const source = faceApiPackage();

describe('converter output', () => {
  it.each(NETWORKS.map((n) => [n.name, n] as const))(
    '%s converts to the bytes whose sha256 models/manifest.json commits to, every time',
    async (name, spec) => {
      const entry = (await readManifest()).networks?.[name];
      const first = await convertNetwork(spec, source);
      const second = await convertNetwork(spec, source);
      expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
      expect(first.sha256).toBe(entry?.sha256);
      expect(entry?.bytes).toBe(first.bytes.length);
      expect(entry?.file).toBe(`onnx/${name}.onnx`);
      expect(entry?.input.name).toBe('image');
      expect(entry?.outputs.map((o) => o.name)).toEqual(spec.outputs.map((o) => o.name));
    },
  );
});

describe('TF.js weight reading', () => {
  it.each(NETWORKS.map((n) => [n.sourceManifest] as const))(
    'dequantises %s bit for bit like TF.js',
    async (manifestFile) => {
      // tf.io.decodeWeights is what face-api's loader runs; our reader must agree exactly.
      const faceapi = createRequire(import.meta.url)(
        '@vladmandic/face-api/dist/face-api.node-wasm.js',
      ) as FaceApi;
      await tfEngine(faceapi).setBackend('cpu');
      const { tf } = faceapi;
      const groups = JSON.parse(await readFile(join(source.modelDir, manifestFile), 'utf8')) as {
        paths: string[];
        weights: Parameters<typeof tf.io.decodeWeights>[1];
      }[];
      const ours = await readTfjsWeights(source.modelDir, manifestFile);
      for (const group of groups) {
        const bin = Buffer.concat(
          await Promise.all(group.paths.map((p) => readFile(join(source.modelDir, p)))),
        );
        const theirs = tf.io.decodeWeights(
          bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
          group.weights,
        );
        for (const [name, tensor] of Object.entries(theirs)) {
          const mine = ours.get(name);
          expect(mine?.shape, name).toEqual(tensor.shape);
          expect(
            Buffer.from((mine?.values ?? new Float32Array()).buffer).equals(
              Buffer.from(new Float32Array(tensor.dataSync()).buffer),
            ),
            name,
          ).toBe(true);
          tensor.dispose();
        }
      }
    },
  );
});

describe('models/manifest.json updates', () => {
  it('keep top-level keys other modules own (calibration, byo)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'models-manifest-'));
    try {
      const path = join(dir, 'manifest.json');
      await writeFile(path, JSON.stringify({ calibration: { fittedOn: 'dev' }, byo: [{ name: 'yunet' }] }));
      const spec = NETWORKS[0];
      if (!spec) throw new Error('no networks');
      await writeNetworkEntries({ [spec.name]: networkEntry(spec, source, 'ab'.repeat(32), 1) }, path);
      const written = await readManifest(path);
      expect(written.calibration).toEqual({ fittedOn: 'dev' });
      expect(written.byo).toEqual([{ name: 'yunet' }]);
      expect(written.networks?.[spec.name]?.sha256).toBe('ab'.repeat(32));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
