import sharp from 'sharp';
import { decodeJpeg2000 } from './jpeg2000/decodeJpeg2000.ts';
import type { RgbImage } from './RgbImage.ts';
import { type ImageFormat, sniffImageFormat } from './sniffImageFormat.ts';

export interface DecodeLimits {
  /** Refuse images with more pixels than this before decoding them (decompression bombs). */
  maxInputPixels: number;
  /**
   * Longer side the pipeline works at. Faces in bigger photos are still hundreds of
   * pixels wide after the shrink, and detection/alignment cost grows with pixel count.
   */
  maxWorkingSide: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxInputPixels: 40_000_000, maxWorkingSide: 1280 };

export type DecodedImage =
  | {
      ok: true;
      format: ImageFormat;
      image: RgbImage;
      /** Size of the upload after EXIF orientation, in its own pixels. */
      originalWidth: number;
      originalHeight: number;
      /** Multiply working-image coordinates by this to get upload coordinates. */
      scaleToOriginal: number;
    }
  | { ok: false; problem: string };

/**
 * Turn uploaded bytes into upright RGB pixels, or say in a sentence why not.
 * Never throws for a bad upload: that is the partner's input, reported as a result. (Only a
 * JPEG 2000 decoder that cannot load rejects: an installation fault, not the image's.)
 */
export async function decodeImage(
  bytes: Buffer,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): Promise<DecodedImage> {
  const format = sniffImageFormat(bytes);
  if (format === null) {
    return {
      ok: false,
      problem: 'is not a JPEG, PNG or WebP file, nor JPEG 2000 (checked by its first bytes)',
    };
  }
  const source = await openSource(bytes, format, limits);
  if (!source.ok) return source;
  try {
    const { pipeline, originalWidth, originalHeight } = await source.open();
    if (originalWidth < 16 || originalHeight < 16) {
      return { ok: false, problem: `is ${originalWidth}×${originalHeight} px, too small to hold a face` };
    }
    const longSide = Math.max(originalWidth, originalHeight);
    const shrink = longSide > limits.maxWorkingSide ? limits.maxWorkingSide / longSide : 1;
    if (shrink < 1) {
      pipeline.resize(Math.round(originalWidth * shrink), Math.round(originalHeight * shrink), {
        fit: 'fill',
      });
    }
    // Transparent pixels become white, as they would when a partner's viewer shows the image.
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image = toRgb(data, info.width, info.height, info.channels);
    return {
      ok: true,
      format,
      image,
      originalWidth,
      originalHeight,
      scaleToOriginal: originalWidth / info.width,
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ok: false,
      problem: `could not be decoded as ${format.toUpperCase()} (${detail}); re-export the file`,
    };
  }
}

type Source =
  | {
      ok: true;
      open(): Promise<{ pipeline: sharp.Sharp; originalWidth: number; originalHeight: number }>;
    }
  | { ok: false; problem: string };

/**
 * Where sharp's pipeline starts. JPEG 2000 is decoded to raw pixels first (sharp's prebuilt
 * libvips cannot read it); from there every format takes the same resize and colour steps.
 */
async function openSource(bytes: Buffer, format: ImageFormat, limits: DecodeLimits): Promise<Source> {
  if (format === 'jp2' || format === 'j2k') {
    const decoded = await decodeJpeg2000(bytes, limits.maxInputPixels);
    if (!decoded.ok) return decoded;
    const { data, width, height, channels } = decoded.pixels;
    return {
      ok: true,
      open: async () => ({
        pipeline: sharp(data, { raw: { width, height, channels } }),
        originalWidth: width,
        originalHeight: height,
      }),
    };
  }
  return {
    ok: true,
    open: async () => {
      // failOn 'error' rejects truncated and corrupt files instead of decoding grey padding.
      const options = { limitInputPixels: limits.maxInputPixels, failOn: 'error' } as const;
      const meta = await sharp(bytes, options).metadata();
      const rotated = (meta.orientation ?? 1) >= 5;
      return {
        pipeline: sharp(bytes, options).rotate(),
        originalWidth: (rotated ? meta.height : meta.width) ?? 0,
        originalHeight: (rotated ? meta.width : meta.height) ?? 0,
      };
    },
  };
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3)
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, n = width * height; i < n; i++) {
    const base = i * channels;
    const grey = channels < 3;
    out[i * 3] = data[base] ?? 0;
    out[i * 3 + 1] = data[grey ? base : base + 1] ?? 0;
    out[i * 3 + 2] = data[grey ? base : base + 2] ?? 0;
  }
  return { data: out, width, height };
}
