/**
 * What the SIZ marker of a JPEG 2000 codestream declares, read without decoding anything,
 * so a hostile file claiming a huge canvas is refused before the decoder allocates it.
 */
export interface Jpeg2000Header {
  container: 'jp2' | 'j2k';
  /** Image area: Xsiz − XOsiz by Ysiz − YOsiz, in reference-grid pixels. */
  width: number;
  height: number;
  tiles: number;
  components: Jpeg2000Component[];
}

export interface Jpeg2000Component {
  /** Bits per sample, 1–38 as the standard allows. */
  depth: number;
  signed: boolean;
  /** Subsampling against the reference grid (2 for the chroma of 4:2:0). */
  dx: number;
  dy: number;
}

export type Jpeg2000HeaderResult = { ok: true; header: Jpeg2000Header } | { ok: false; problem: string };

/** JP2 signature box: length 12, type 'jP  ', content CR LF 0x87 LF (ISO/IEC 15444-1 I.5.1). */
const JP2_SIGNATURE = [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a];
/** A raw codestream starts with SOC (FF4F), and SIZ (FF51) must follow it directly. */
const SOC_SIZ = [0xff, 0x4f, 0xff, 0x51];

const JP2C = 0x6a703263; // 'jp2c', the contiguous codestream box

export function isJp2Signature(bytes: Uint8Array): boolean {
  return bytes.length >= JP2_SIGNATURE.length && JP2_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJ2kCodestream(bytes: Uint8Array): boolean {
  return bytes.length >= SOC_SIZ.length && SOC_SIZ.every((b, i) => bytes[i] === b);
}

export function readJpeg2000Header(bytes: Uint8Array): Jpeg2000HeaderResult {
  if (isJ2kCodestream(bytes)) return readSiz(bytes, 'j2k');
  if (!isJp2Signature(bytes)) return fail('does not start with a JP2 signature box or a J2K SOC+SIZ marker');
  const codestream = findCodestreamBox(bytes);
  if (typeof codestream === 'string') return fail(codestream);
  return readSiz(codestream, 'jp2');
}

/** Walks the top-level boxes to `jp2c`; a box that runs past the end means the file was cut short. */
function findCodestreamBox(bytes: Uint8Array): Uint8Array | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 8 <= bytes.length) {
    let length = view.getUint32(at);
    const type = view.getUint32(at + 4);
    let header = 8;
    if (length === 1) {
      if (at + 16 > bytes.length) return 'ends inside a box header: the file is truncated';
      const long = view.getBigUint64(at + 8);
      if (long > BigInt(bytes.length)) return truncatedBox(type, long, bytes.length - at);
      length = Number(long);
      header = 16;
    } else if (length === 0) {
      length = bytes.length - at; // the last box runs to the end of the file
    }
    if (length < header) return `has a ${boxName(type)} box of impossible length ${length}`;
    if (at + length > bytes.length) return truncatedBox(type, length, bytes.length - at);
    if (type === JP2C) return bytes.subarray(at + header, at + length);
    at += length;
  }
  return 'has no codestream (jp2c) box';
}

function truncatedBox(type: number, declared: number | bigint, available: number): string {
  return `is truncated: its ${boxName(type)} box declares ${declared} bytes but only ${available} are there`;
}

function boxName(type: number): string {
  const text = String.fromCharCode(
    (type >>> 24) & 0xff,
    (type >>> 16) & 0xff,
    (type >>> 8) & 0xff,
    type & 0xff,
  );
  return /^[\x20-\x7e]{4}$/.test(text) ? `'${text}'` : `0x${type.toString(16)}`;
}

/**
 * SIZ layout (ISO/IEC 15444-1 A.5.1), after SOC: FF51, Lsiz(2), Rsiz(2), Xsiz, Ysiz, XOsiz, YOsiz,
 * XTsiz, YTsiz, XTOsiz, YTOsiz (4 each), Csiz(2), then Ssiz, XRsiz, YRsiz (1 each) per component.
 */
function readSiz(codestream: Uint8Array, container: 'jp2' | 'j2k'): Jpeg2000HeaderResult {
  if (!isJ2kCodestream(codestream))
    return fail('has a codestream that does not start with SOC and SIZ markers');
  const view = new DataView(codestream.buffer, codestream.byteOffset, codestream.byteLength);
  const siz = 4;
  if (codestream.length < siz + 38) return fail('is truncated inside its SIZ marker');
  const lsiz = view.getUint16(siz);
  const u32 = (offset: number) => view.getUint32(siz + offset);
  const [xsiz, ysiz, xosiz, yosiz, xtsiz, ytsiz, xtosiz, ytosiz] = [4, 8, 12, 16, 20, 24, 28, 32].map(
    u32,
  ) as [number, number, number, number, number, number, number, number];
  const csiz = view.getUint16(siz + 36);
  if (csiz < 1 || csiz > 16384 || lsiz !== 38 + 3 * csiz) {
    return fail(`has a malformed SIZ marker (${csiz} components in a ${lsiz}-byte segment)`);
  }
  if (codestream.length < siz + lsiz) return fail('is truncated inside its SIZ marker');
  if (xosiz >= xsiz || yosiz >= ysiz || xtsiz === 0 || ytsiz === 0 || xtosiz > xosiz || ytosiz > yosiz) {
    return fail(
      `has a malformed SIZ marker (image ${xsiz}×${ysiz} at ${xosiz},${yosiz}, tiles ${xtsiz}×${ytsiz})`,
    );
  }
  const components: Jpeg2000Component[] = [];
  for (let c = 0; c < csiz; c++) {
    const at = siz + 38 + 3 * c;
    const ssiz = codestream[at] as number;
    const dx = codestream[at + 1] as number;
    const dy = codestream[at + 2] as number;
    if (dx === 0 || dy === 0) return fail(`has a malformed SIZ marker (component ${c} subsampled by 0)`);
    components.push({ depth: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0, dx, dy });
  }
  const tiles = Math.ceil((xsiz - xtosiz) / xtsiz) * Math.ceil((ysiz - ytosiz) / ytsiz);
  return {
    ok: true,
    header: { container, width: xsiz - xosiz, height: ysiz - yosiz, tiles, components },
  };
}

function fail(problem: string): Jpeg2000HeaderResult {
  return { ok: false, problem };
}
