import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fixtureFile } from '../../fixtures/index.ts';
import { probeImage } from '../../src/scoring/fixture/probeImage.ts';
import { decodeImage } from '../../src/scoring/image/decodeImage.ts';
import { decodeJpeg2000 } from '../../src/scoring/image/jpeg2000/decodeJpeg2000.ts';
import { sniffImageFormat } from '../../src/scoring/image/sniffImageFormat.ts';

/**
 * The .jp2/.j2k files were made by opj_compress and the .opj.png beside each by opj_decompress
 * (fixtures/encodeChipPortrait.ts); committed, so these tests do not need OpenJPEG's tools.
 */
const here = (name: string) => readFileSync(new URL(`./jpeg2000/${name}`, import.meta.url));
const jp2 = readFileSync(fixtureFile('chip-portrait'));
const j2k = here('chip-portrait.j2k');
const LIMIT = 40_000_000;

async function referencePixels(name: string): Promise<Buffer> {
  return sharp(here(`${name}.opj.png`))
    .raw()
    .toBuffer();
}

/** Offset of the SIZ marker segment (FF51) that follows SOC (FF4F) at the start of the codestream. */
function sizOffset(bytes: Buffer): number {
  const at = bytes.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  expect(at).toBeGreaterThanOrEqual(0);
  return at + 2;
}

/**
 * A hostile file made from a good one by editing four SIZ fields (ISO/IEC 15444-1 A.5.1):
 * Xsiz and Ysiz (the canvas) at SIZ+6 and SIZ+10, XTsiz and YTsiz (the tile size) at
 * SIZ+22 and SIZ+26, all 32-bit big-endian. The coded data still describes 240×320.
 */
function withSiz(bytes: Buffer, edit: { width?: number; height?: number; tile?: number }): Buffer {
  const out = Buffer.from(bytes);
  const siz = sizOffset(out);
  if (edit.width !== undefined) out.writeUInt32BE(edit.width, siz + 6);
  if (edit.height !== undefined) out.writeUInt32BE(edit.height, siz + 10);
  if (edit.tile !== undefined) {
    out.writeUInt32BE(edit.tile, siz + 22);
    out.writeUInt32BE(edit.tile, siz + 26);
  }
  return out;
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('JPEG 2000 uploads', () => {
  it('recognises a JP2 file and a raw J2K codestream by their first bytes', () => {
    expect(sniffImageFormat(jp2)).toBe('jp2');
    expect(sniffImageFormat(j2k)).toBe('j2k');
    expect(sniffImageFormat(Buffer.from('0000000C6A502020', 'hex'))).toBeNull();
  });

  it('decodes the chip portrait (JP2) and the raw J2K exactly as opj_decompress does', async () => {
    for (const [bytes, name] of [
      [jp2, 'chip-portrait.jp2'],
      [j2k, 'chip-portrait.j2k'],
    ] as const) {
      const decoded = await decodeJpeg2000(bytes, LIMIT);
      if (!decoded.ok) throw new Error(decoded.problem);
      expect(decoded.pixels).toMatchObject({ width: 240, height: 320, channels: 3 });
      expect(maxDifference(decoded.pixels.data, await referencePixels(name))).toBe(0);
    }
  });

  it('decodes sYCC 4:2:0 (chroma at half resolution, as many chips store it) to the RGB opj_decompress gives', async () => {
    const ycc = here('ycc420.jp2');
    const decoded = await decodeJpeg2000(ycc, LIMIT);
    if (!decoded.ok) throw new Error(decoded.problem);
    expect(decoded.pixels).toMatchObject({ width: 240, height: 320, channels: 3 });
    expect(maxDifference(decoded.pixels.data, await referencePixels('ycc420.jp2'))).toBe(0);
    // And it is colour, not luma and chroma planes passed off as RGB: close to the RGB portrait.
    const rgb = await referencePixels('chip-portrait.jp2');
    let sum = 0;
    for (let i = 0; i < rgb.length; i++)
      sum += Math.abs((rgb[i] as number) - (decoded.pixels.data[i] as number));
    expect(sum / rgb.length).toBeLessThan(4);
  });

  it('hands the pipeline upright RGB of the same pixels, with the upload size', async () => {
    const decoded = await decodeImage(jp2);
    expect(decoded).toMatchObject({ ok: true, format: 'jp2', originalWidth: 240, originalHeight: 320 });
    if (!decoded.ok) return;
    expect(decoded.image).toMatchObject({ width: 240, height: 320 });
    expect(maxDifference(decoded.image.data, await referencePixels('chip-portrait.jp2'))).toBeLessThanOrEqual(
      1,
    );
  });

  it('scales 16-bit greyscale to 8 bits and gives the pipeline three equal channels', async () => {
    const grey16 = here('grey16.j2k');
    const decoded = await decodeJpeg2000(grey16, LIMIT);
    if (!decoded.ok) throw new Error(decoded.problem);
    expect(decoded.pixels).toMatchObject({ width: 240, height: 320, channels: 1 });
    const raw = await sharp(here('grey16.j2k.opj.png'))
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer();
    const reference = new Uint8Array(raw.length / 2).map((_, i) =>
      Math.round((raw.readUInt16LE(2 * i) * 255) / 65535),
    );
    expect(maxDifference(decoded.pixels.data, reference)).toBe(0);
    const image = await decodeImage(grey16);
    if (!image.ok) throw new Error(image.problem);
    const { data } = image.image;
    for (let i = 0; i < 240 * 320; i += 997) {
      expect([data[3 * i + 1], data[3 * i + 2]]).toEqual([data[3 * i], data[3 * i]]);
      expect(Math.abs((data[3 * i] as number) - (reference[i] as number))).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a truncated JP2 by its box lengths and a truncated J2K by the decoder, and keeps decoding', async () => {
    const cut = jp2.subarray(0, Math.floor(jp2.length * 0.6));
    expect(await decodeImage(cut)).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /is truncated: its 'jp2c' box declares \d+ bytes but only \d+ are there/,
      ),
    });
    // A raw codestream has no box to say how long it is; OpenJPEG finds the tile data short.
    const cutJ2k = await decodeImage(j2k.subarray(0, Math.floor(j2k.length * 0.6)));
    expect(cutJ2k).toEqual({ ok: false, problem: expect.stringContaining('could not be decoded as J2K') });
    expect(cutJ2k.ok || cutJ2k.problem).toMatch(/truncated or corrupt/);
    expect((await decodeImage(j2k)).ok).toBe(true);
  });

  it('refuses an over-limit canvas by its SIZ marker before decoding a sample', async () => {
    const bomb = withSiz(jp2, { width: 100_000, height: 100_000 });
    // 10^10 pixels: decoding would need tens of gigabytes, so an answer at all shows nothing was allocated.
    expect(await decodeImage(bomb)).toEqual({
      ok: false,
      problem:
        'is too large: its SIZ marker declares 100000×100000 px, more than the 40000000 px allowed; send a smaller image',
    });
    expect(await probeImage(bomb, LIMIT)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('SIZ marker declares 100000×100000 px'),
    });
    // The same limit the other formats get: a smaller configured limit refuses the real portrait too.
    expect(await decodeImage(jp2, { maxInputPixels: 50_000, maxWorkingSide: 1280 })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('declares 240×320 px, more than the 50000 px allowed'),
    });
  });

  it('refuses a canvas cut into millions of tiny tiles, signed samples and four components', async () => {
    expect(await decodeImage(withSiz(j2k, { width: 6000, height: 6000, tile: 1 }))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('in 36000000 tiles, more than 65536'),
    });
    const signed = Buffer.from(j2k);
    signed[sizOffset(signed) + 40] = 0x87; // Ssiz of component 0 (SIZ+40): signed, 8 bits
    expect(await decodeImage(signed)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('signed samples'),
    });
    expect(await decodeImage(here('rgba.j2k'))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('has 4 colour components'),
    });
  });

  it('decodes a canvas bigger than its coded data as the SIZ says, then keeps decoding on a fresh worker', async () => {
    // 2100×2000 is within the pixel limit but past the size after which the decoder's worker
    // is ended to give its grown memory back; the next image must still decode.
    const wide = await decodeJpeg2000(withSiz(j2k, { width: 2100, height: 2000 }), LIMIT);
    expect(wide).toMatchObject({ ok: true, pixels: { width: 2100, height: 2000, channels: 3 } });
    const again = await decodeJpeg2000(jp2, LIMIT);
    if (!again.ok) throw new Error(again.problem);
    expect(maxDifference(again.pixels.data, await referencePixels('chip-portrait.jp2'))).toBe(0);
  });

  it('the fixture engine probe reads a JP2 size and refuses a truncated one', async () => {
    expect(await probeImage(jp2, LIMIT)).toEqual({ ok: true, format: 'jp2', width: 240, height: 320 });
    expect(await probeImage(j2k.subarray(0, 4000), LIMIT)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('truncated or corrupt'),
    });
  });
});
