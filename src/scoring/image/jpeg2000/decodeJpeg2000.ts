import { createRequire } from 'node:module';
import { type Jpeg2000Header, readJpeg2000Header } from './readJpeg2000Header.ts';

/** 8-bit samples, interleaved, 1 (grey) or 3 (RGB) per pixel: what sharp takes as raw input. */
export interface Jpeg2000Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

export type DecodedJpeg2000 =
  | { ok: true; container: 'jp2' | 'j2k'; pixels: Jpeg2000Pixels }
  | { ok: false; problem: string };

/**
 * A legitimate image tiles at 64×64 or more; a hostile SIZ with 1×1 tiles over an allowed canvas
 * would make OpenJPEG build millions of tile structures before decoding a single sample.
 */
const MAX_TILES = 65_536;

/**
 * WebAssembly memory only grows: after one big image the module would hold that much for the
 * life of the process (about 0.7 GB after a 6000×6000 canvas). Past this size the module is
 * dropped after the decode so the collector can return its memory; the next image compiles a
 * fresh one. Chip portraits and phone photos stay well under it and keep the loaded module.
 */
const RETIRE_AFTER_PIXELS = 4_000_000;

/**
 * Decode a JP2 file or a raw J2K codestream with OpenJPEG compiled to WebAssembly (sharp's
 * prebuilt libvips has no JPEG 2000 input). Whatever is wrong with the bytes is said in
 * `problem`; it rejects only when the decoder itself cannot be loaded.
 *
 * The SIZ marker is checked first, against the same pixel limit as other formats, so a file
 * that claims a huge canvas is refused before anything is allocated for it.
 */
export async function decodeJpeg2000(bytes: Uint8Array, maxInputPixels: number): Promise<DecodedJpeg2000> {
  const read = readJpeg2000Header(bytes);
  if (!read.ok) return read;
  const header = read.header;
  const refusal = refuseHeader(header, maxInputPixels);
  if (refusal) return { ok: false, problem: refusal };
  // A module that cannot load is an installation fault, not the partner's: it rejects, and the
  // flow reports ENGINE_ERROR rather than blaming the image.
  return decodeWith(await loadCodec(), bytes, header);
}

function refuseHeader(header: Jpeg2000Header, maxInputPixels: number): string | null {
  const { width, height, components } = header;
  const size = `its SIZ marker declares ${width}×${height} px`;
  if (width * height > maxInputPixels) {
    return `is too large: ${size}, more than the ${maxInputPixels} px allowed; send a smaller image`;
  }
  if (header.tiles > MAX_TILES) {
    return `is refused: ${size} in ${header.tiles} tiles, more than ${MAX_TILES}; re-encode it with larger tiles`;
  }
  if (components.length !== 1 && components.length !== 3) {
    return `has ${components.length} colour components; send a greyscale (1) or colour (3 component) JPEG 2000 image`;
  }
  const first = components[0] as (typeof components)[number];
  for (const c of components) {
    if (c.signed) return 'has signed samples; send an image with unsigned 1–16 bit samples';
    if (c.depth > 16) return `has ${c.depth}-bit samples; send an image with 1–16 bit samples`;
    if (c.depth !== first.depth) {
      return `mixes ${first.depth}- and ${c.depth}-bit components; send all components at one bit depth`;
    }
  }
  return null;
}

async function decodeWith(
  codec: OpenJpegModule,
  bytes: Uint8Array,
  header: Jpeg2000Header,
): Promise<DecodedJpeg2000> {
  const log: string[] = [];
  let decoder: J2kDecoder | undefined;
  codecLog = log;
  try {
    decoder = new codec.J2KDecoder();
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const frame = decoder.getFrameInfo();
    const errors = log.filter((line) => line.includes('[ERROR]'));
    if (errors.length > 0 || frame.width === 0) {
      const why =
        errors.map((line) => line.replace('[ERROR]', '').trim()).join('; ') || 'nothing was decoded';
      return {
        ok: false,
        problem: `could not be decoded as ${header.container.toUpperCase()} (${why}); the file is probably truncated or corrupt, upload it again`,
      };
    }
    const channels = frame.componentCount;
    const wide = frame.bitsPerSample > 8;
    const decoded = decoder.getDecodedBuffer();
    const expected = frame.width * frame.height * channels * (wide ? 2 : 1);
    if ((channels !== 1 && channels !== 3) || decoded.length !== expected) {
      // Components at different resolutions that the decoder did not bring to one grid.
      return {
        ok: false,
        problem: `could not be decoded as ${header.container.toUpperCase()}: its ${channels} components do not share one pixel grid; send RGB or greyscale without subsampling`,
      };
    }
    const data = toEightBit(decoded, frame.bitsPerSample, wide);
    return {
      ok: true,
      container: header.container,
      pixels: { data, width: frame.width, height: frame.height, channels: channels as 1 | 3 },
    };
  } catch (error) {
    // An Emscripten abort (out of memory, a trap) leaves the module unusable: load a fresh one next time.
    codecPromise = undefined;
    return {
      ok: false,
      problem: `could not be decoded as ${header.container.toUpperCase()} (${message(error)}); the file is probably corrupt, upload it again`,
    };
  } finally {
    codecLog = null;
    try {
      decoder?.delete();
    } catch {
      // The module aborted; it has been dropped above.
    }
    if (header.width * header.height > RETIRE_AFTER_PIXELS) codecPromise = undefined;
  }
}

/** Copies out of WebAssembly memory (the view dies with the decoder) and scales to 8 bits. */
function toEightBit(decoded: Uint8Array, depth: number, wide: boolean): Uint8Array {
  if (!wide && depth === 8) return Uint8Array.from(decoded);
  const max = 2 ** depth - 1;
  const count = wide ? decoded.length / 2 : decoded.length;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = wide
      ? (decoded[2 * i] as number) | ((decoded[2 * i + 1] as number) << 8)
      : (decoded[i] as number);
    out[i] = Math.round((Math.min(v, max) * 255) / max);
  }
  return out;
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

interface J2kDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
  };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2kDecoder;
}

type OpenJpegFactory = (options: {
  print: (line: string) => void;
  printErr: (line: string) => void;
}) => Promise<OpenJpegModule>;

/** Where the decoder's messages go during one decode; decoding is synchronous, so one at a time. */
let codecLog: string[] | null = null;
let codecPromise: Promise<OpenJpegModule> | undefined;

/**
 * Loaded once, on the first JPEG 2000 image: most deployments never see one, and the module
 * costs a WebAssembly compile. OpenJPEG prints its progress and errors on stdout; they are
 * captured here so nothing reaches the server's own output.
 */
function loadCodec(): Promise<OpenJpegModule> {
  if (!codecPromise) {
    const factory = createRequire(import.meta.url)(
      '@cornerstonejs/codec-openjpeg/decodewasmjs',
    ) as OpenJpegFactory;
    const capture = (line: string) => codecLog?.push(line);
    const loading = factory({ print: capture, printErr: capture });
    codecPromise = loading;
    loading.catch(() => {
      if (codecPromise === loading) codecPromise = undefined;
    });
  }
  return codecPromise;
}
