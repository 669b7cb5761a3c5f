import { describe, expect, it } from 'vitest';
import { decodeBase64Image } from '../../src/modules/decodeBase64Image.ts';

const LIMIT = 1024;
// Bytes whose base64 uses '+' and '/' and needs one '=' of padding.
const BYTES = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83, 0xff, 0xfe]);
const STANDARD = BYTES.toString('base64');

function refusal(value: string, maxBytes = LIMIT) {
  const decoded = decodeBase64Image(value, maxBytes);
  if (decoded.ok) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return decoded;
}

describe('decodeBase64Image', () => {
  it('decodes standard padded base64, with every padding length', () => {
    expect(STANDARD).toMatch(/[+/].*=$/);
    for (const length of [3, 4, 5]) {
      const bytes = BYTES.subarray(0, length);
      expect(decodeBase64Image(bytes.toString('base64'), LIMIT)).toEqual({ ok: true, bytes });
    }
  });

  it('takes a data:image/…;base64, prefix, in any case and with parameters', () => {
    for (const prefix of [
      'data:image/png;base64,',
      'DATA:IMAGE/JPEG;BASE64,',
      'data:image/svg+xml;charset=utf-8;base64,',
    ]) {
      expect(decodeBase64Image(prefix + STANDARD, LIMIT)).toEqual({ ok: true, bytes: BYTES });
    }
  });

  it('refuses data URIs that are not base64 images, saying what form to use', () => {
    for (const value of [
      `data:application/octet-stream;base64,${STANDARD}`,
      `data:image/png,${STANDARD}`,
      `data:;base64,${STANDARD}`,
      `data:image/png;base64${STANDARD}`,
    ]) {
      expect(refusal(value)).toMatchObject({ problem: 'invalid', message: /data:image\/<type>;base64,/ });
    }
  });

  it('refuses an empty value, also behind a prefix', () => {
    expect(refusal('').message).toMatch(/is empty/);
    expect(refusal('data:image/png;base64,').message).toMatch(/is empty/);
  });

  it('refuses base64url, naming the character, its offset and the standard alphabet', () => {
    const url = BYTES.toString('base64url');
    expect(url).toMatch(/[-_]/);
    const { message } = refusal(url);
    expect(message).toMatch(/base64url/);
    expect(message).toContain(`offset ${url.search(/[-_]/)}`);
    // The offset counts from the start of the value, prefix included.
    expect(refusal(`data:image/png;base64,${url}`).message).toContain(`offset ${22 + url.search(/[-_]/)}`);
  });

  it('refuses whitespace and line breaks, pointing at base64 -w0', () => {
    const wrapped = Buffer.alloc(120, 7)
      .toString('base64')
      .replace(/(.{76})/, '$1\n');
    expect(refusal(wrapped).message).toMatch(/line break at offset 76.*-w0/);
    expect(refusal(` ${STANDARD}`).message).toMatch(/whitespace.*offset 0/);
    expect(refusal(`${STANDARD}\r\n`).message).toMatch(/offset 12/);
  });

  it('refuses other characters by name', () => {
    expect(refusal('AAAA*AAA').message).toMatch(/"\*" at offset 4, which is not base64/);
    expect(refusal('AAAAé').message).toMatch(/"é"/);
  });

  it('insists on padding at the end only, at most twice, and a length that is a multiple of 4', () => {
    expect(refusal(STANDARD.replace(/=+$/, '')).message).toMatch(/11 base64 characters, not a multiple of 4/);
    expect(refusal('AA=A').message).toMatch(/'=' at offset 2/);
    expect(refusal('A===').message).toMatch(/at most twice/);
    expect(refusal('AAAAA').message).toMatch(/not a multiple of 4/);
  });

  it('measures the decoded size before decoding and refuses more than the limit', () => {
    const exact = Buffer.alloc(LIMIT, 1).toString('base64');
    expect(decodeBase64Image(exact, LIMIT).ok).toBe(true);
    const over = Buffer.alloc(LIMIT + 1, 1).toString('base64');
    expect(refusal(over)).toMatchObject({
      problem: 'too-large',
      message: `decodes to ${LIMIT + 1} bytes, more than the ${LIMIT} an image may have: send a smaller image`,
    });
  });

  it('leaves judging the bytes to the engine: valid base64 of text decodes', () => {
    const text = Buffer.from('not an image at all');
    expect(decodeBase64Image(text.toString('base64'), LIMIT)).toEqual({ ok: true, bytes: text });
  });
});
