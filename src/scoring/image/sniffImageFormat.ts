import { isJ2kCodestream, isJp2Signature } from './jpeg2000/readJpeg2000Header.ts';

/** `jp2` is the JPEG 2000 file format; `j2k` a bare JPEG 2000 codestream, as some chip readers hand it over. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'jp2' | 'j2k';

/**
 * Decide the container from the first bytes rather than trusting a file name or
 * Content-Type: partners upload whatever their capture SDK produced, and sharp
 * would otherwise happily open formats (SVG, TIFF, HEIF) we do not promise to support.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (isJp2Signature(bytes)) return 'jp2';
  if (isJ2kCodestream(bytes)) return 'j2k';
  return null;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
