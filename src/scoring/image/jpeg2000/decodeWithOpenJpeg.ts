import { createRequire } from 'node:module';

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
 * Decode a JP2 file or raw J2K codestream whose SIZ marker has already been checked, with
 * OpenJPEG compiled to WebAssembly. Synchronous once the module is loaded and it holds the
 * thread for the whole decode (seconds for tens of megapixels), so it runs in the JPEG 2000
 * worker (`jpeg2000Worker.ts`), never on the server's event loop. Rejects only when the module
 * cannot be loaded.
 */
export async function decodeWithOpenJpeg(
  bytes: Uint8Array,
  container: 'jp2' | 'j2k',
): Promise<DecodedJpeg2000> {
  return decodeWith(await loadCodec(), bytes, container);
}

function decodeWith(codec: OpenJpegModule, bytes: Uint8Array, container: 'jp2' | 'j2k'): DecodedJpeg2000 {
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
        problem: `could not be decoded as ${container.toUpperCase()} (${why}); the file is probably truncated or corrupt, upload it again`,
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
        problem: `could not be decoded as ${container.toUpperCase()}: its ${channels} components do not share one pixel grid; send RGB or greyscale without subsampling`,
      };
    }
    const data = toEightBit(decoded, frame.bitsPerSample, wide);
    return {
      ok: true,
      container,
      pixels: { data, width: frame.width, height: frame.height, channels: channels as 1 | 3 },
    };
  } catch (error) {
    // An Emscripten abort (out of memory, a trap) leaves the module unusable: load a fresh one next time.
    codecPromise = undefined;
    return {
      ok: false,
      problem: `could not be decoded as ${container.toUpperCase()} (${message(error)}); the file is probably corrupt, upload it again`,
    };
  } finally {
    codecLog = null;
    try {
      decoder?.delete();
    } catch {
      // The module aborted; it has been dropped above.
    }
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
