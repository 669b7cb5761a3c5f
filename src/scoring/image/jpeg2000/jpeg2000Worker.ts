import { parentPort } from 'node:worker_threads';
import { decodeWithOpenJpeg } from './decodeWithOpenJpeg.ts';

/** One decode: the upload's bytes and the container its SIZ check found. */
export interface Jpeg2000WorkerRequest {
  id: number;
  bytes: Uint8Array;
  container: 'jp2' | 'j2k';
}

/**
 * The thread JPEG 2000 is decoded on. Messages are handled in order and each decode runs to
 * the end before the next starts, so images go through one at a time.
 */
const port = parentPort;
if (!port) throw new Error('jpeg2000Worker must run in a worker thread');
port.on('message', async (request: Jpeg2000WorkerRequest) => {
  try {
    const result = await decodeWithOpenJpeg(request.bytes, request.container);
    // The pixels move to the caller rather than being copied.
    const transfer = result.ok ? [result.pixels.data.buffer as ArrayBuffer] : [];
    port.postMessage({ id: request.id, result }, transfer);
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
