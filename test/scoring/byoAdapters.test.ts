import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createRgbImage } from '../../src/scoring/image/RgbImage.ts';
import { createFaceRecognizer } from '../../src/scoring/onnx/createFaceRecognizer.ts';
import { createOnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { createYunetDetector } from '../../src/scoring/onnx/yunetDetector.ts';
import { channelMeanRecognizer, fakeYunet } from './support/tinyOnnx.ts';

const dir = mkdtempSync(join(tmpdir(), 'facematch-byo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const session = { intraOpNumThreads: 1 };

function write(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('bring-your-own adapters on graphs built by the test', () => {
  it('decodes a YuNet-layout output into a box in the caller’s pixels', async () => {
    const file = write(
      'yunet.onnx',
      fakeYunet([{ stride: 16, row: 10, col: 12, score: 0.9, bbox: [0.5, 0.5, Math.log(8), Math.log(10)] }]),
    );
    const detector = await createYunetDetector(
      { file, inputSize: 640, dynamic: false, scoreThreshold: 0.5, nmsIou: 0.4 },
      session,
    );
    // 320×320 is letterboxed ×2 into 640: cell centre (12.5, 10.5)×16 = (200, 168), size 128×160.
    const faces = await detector.detect(createRgbImage(320, 320));
    await detector.close();
    expect(faces).toHaveLength(1);
    const [face] = faces;
    expect(face?.score).toBeCloseTo(0.9, 5);
    expect(face?.x).toBeCloseTo(68, 3);
    expect(face?.y).toBeCloseTo(44, 3);
    expect(face?.width).toBeCloseTo(64, 3);
    expect(face?.height).toBeCloseTo(80, 3);
    expect(face?.keypoints?.[0]?.[0]).toBeCloseTo(((12 + 0.3) * 16) / 2, 3);
  });

  it('feeds a recogniser the channel order and normalisation its spec names', async () => {
    const file = write('recogniser.onnx', channelMeanRecognizer('x', 112));
    const chip = createRgbImage(112, 112);
    for (let i = 0; i < 112 * 112; i++) chip.data.set([200, 100, 0], i * 3);
    const sface = await createFaceRecognizer({ kind: 'sface', file }, 'sface', session);
    expect(Array.from(await sface.embed(chip))).toEqual([200, 100, 0]);
    const bgr = await createFaceRecognizer({ kind: 'arcface112', file, channelOrder: 'bgr' }, 'mbf', session);
    const [b, g, r] = Array.from(await bgr.embed(chip));
    expect(b).toBeCloseTo((0 - 127.5) / 127.5, 4);
    expect(g).toBeCloseTo((100 - 127.5) / 127.5, 4);
    expect(r).toBeCloseTo((200 - 127.5) / 127.5, 4);
    await Promise.all([sface.close(), bgr.close()]);
  });

  it('runs a whole comparison from a partner manifest that names its own files', async () => {
    const manifest = join(dir, 'partner-models.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        byo: {
          sets: {
            toy: {
              detector: { kind: 'yunet', file: 'yunet.onnx' },
              recognizer: { kind: 'arcface112', file: 'recogniser.onnx' },
            },
          },
        },
      }),
    );
    write(
      'yunet.onnx',
      fakeYunet([{ stride: 16, row: 10, col: 12, score: 0.95, bbox: [0.5, 0.5, Math.log(8), Math.log(10)] }]),
    );
    write('recogniser.onnx', channelMeanRecognizer('x', 112));
    const engine = await createOnnxEngine({ manifestPath: manifest, modelSet: 'toy' });
    const photo = await sharp({ create: { width: 320, height: 320, channels: 3, background: '#c08060' } })
      .png()
      .toBuffer();
    const result = await engine.score(photo, photo);
    await engine.close();
    expect(result.engine).toMatch(/^onnx\/toy\/yunet:[0-9a-f]{8}\+arcface112:[0-9a-f]{8} \(uncalibrated\)$/);
    expect(result.score).toBe(100);
    expect(result.selfie?.face?.box).toEqual({ x: 68, y: 44, width: 64, height: 80 });
  });
});
