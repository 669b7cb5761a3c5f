import { Worker } from 'node:worker_threads';
import type { DecodedJpeg2000 } from './decodeWithOpenJpeg.ts';
import type { Jpeg2000WorkerRequest } from './jpeg2000Worker.ts';
import { type Jpeg2000Header, readJpeg2000Header } from './readJpeg2000Header.ts';

export type { DecodedJpeg2000, Jpeg2000Pixels } from './decodeWithOpenJpeg.ts';

/**
 * A legitimate image tiles at 64×64 or more; a hostile SIZ with 1×1 tiles over an allowed canvas
 * would make OpenJPEG build millions of tile structures before decoding a single sample.
 */
const MAX_TILES = 65_536;

/**
 * WebAssembly memory only grows: after one big image the decoder would hold that much for the
 * life of the process (about 0.7 GB after a 6000×6000 canvas). Past this size the worker is
 * ended once it has answered, which returns all of it; the next image starts a fresh worker.
 * Chip portraits and phone photos stay well under it and keep the loaded one.
 */
const RETIRE_AFTER_PIXELS = 4_000_000;

/**
 * Decode a JP2 file or a raw J2K codestream (sharp's prebuilt libvips has no JPEG 2000 input).
 * Whatever is wrong with the bytes is said in `problem`; it rejects only when the decoder
 * itself cannot be loaded, an installation fault rather than the image's.
 *
 * The SIZ marker is checked here first, against the same pixel limit as other formats, so a
 * file that claims a huge canvas is refused before anything is allocated for it. Decoding
 * runs on a worker thread: OpenJPEG in WebAssembly is synchronous, and a 25-megapixel JP2
 * holds its thread for about 5 s, which must not be the server's event loop.
 */
export async function decodeJpeg2000(bytes: Uint8Array, maxInputPixels: number): Promise<DecodedJpeg2000> {
  const read = readJpeg2000Header(bytes);
  if (!read.ok) return read;
  const header = read.header;
  const refusal = refuseHeader(header, maxInputPixels);
  if (refusal) return { ok: false, problem: refusal };
  return decoderThread().decode(bytes, header);
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

interface DecoderThread {
  decode(bytes: Uint8Array, header: Jpeg2000Header): Promise<DecodedJpeg2000>;
}

type Reply = { id: number; result?: DecodedJpeg2000; error?: string };

let current: DecoderThread | undefined;

/** The worker in use, started on the first JPEG 2000 image (most deployments never see one). */
function decoderThread(): DecoderThread {
  current ??= startDecoderThread();
  return current;
}

function startDecoderThread(): DecoderThread {
  // Compiled (dist/), the worker is plain JavaScript; from sources it needs tsx registered first.
  const entry = import.meta.url.endsWith('.js') ? './jpeg2000Worker.js' : './jpeg2000WorkerBootstrap.mjs';
  const worker = new Worker(new URL(entry, import.meta.url));
  // Idle, the worker must not keep a finished CLI run or test alive; busy, it must.
  worker.unref();
  const pending = new Map<number, { resolve: (r: DecodedJpeg2000) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let retiring = false;
  const thread: DecoderThread = {
    decode(bytes, header) {
      const id = nextId++;
      if (pending.size === 0) worker.ref();
      if (header.width * header.height > RETIRE_AFTER_PIXELS) retire();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: Jpeg2000WorkerRequest = { id, bytes, container: header.container };
        worker.postMessage(request);
      });
    },
  };
  // New images go to a fresh worker; this one ends when its last answer is in.
  const retire = () => {
    retiring = true;
    if (current === thread) current = undefined;
  };
  const settle = () => {
    if (pending.size > 0) return;
    if (retiring) void worker.terminate();
    else worker.unref();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.result) waiter.resolve(reply.result);
    else waiter.reject(new Error(`the JPEG 2000 decoder could not load: ${reply.error}`));
    settle();
  });
  // A worker that dies (out of memory on a hostile file, say) answers what it was given as
  // undecodable; the next image gets a fresh worker.
  const failAll = (why: string) => {
    retire();
    for (const waiter of pending.values()) {
      waiter.resolve({
        ok: false,
        problem: `could not be decoded: the JPEG 2000 decoder stopped on it (${why})`,
      });
    }
    pending.clear();
  };
  worker.on('error', (error) => failAll(error.message.split('\n')[0] ?? 'error'));
  worker.on('exit', (code) => {
    if (pending.size > 0) failAll(`exit code ${code}`);
    else retire();
  });
  return thread;
}
