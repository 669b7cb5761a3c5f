/**
 * An image sent inline as base64, as the Facematch module takes it.
 *
 * Strict on purpose: a mock that accepts what production might refuse lets an
 * integration bug through to go-live, while a clear 400 here costs one fix.
 * Accepted: the standard alphabet of RFC 4648 §4 with its `=` padding (the
 * value is a multiple of four characters), optionally behind a
 * `data:image/<type>[;param=value];base64,` prefix (RFC 2397, case-insensitive).
 * Refused, each with a message saying how to fix it: the base64url alphabet,
 * missing padding, whitespace or line breaks (what `base64` without `-w0`
 * writes), any other character, an empty value, and a data URI that is not
 * an image or not base64. Nothing is checked about the bytes themselves: bytes
 * that are not an image are the engine's to report (UNREADABLE_IMAGE), as they
 * are in the upload flow.
 */
export type DecodedImage =
  | { ok: true; bytes: Buffer }
  | { ok: false; problem: 'invalid' | 'too-large'; message: string };

const DATA_URI = /^data:([^,]*),/i;
const IMAGE_BASE64_MEDIA_TYPE = /^image\/[a-z0-9.+-]+(;[^;,=]+=[^;,]*)*;base64$/i;
const OUTSIDE_ALPHABET = /[^A-Za-z0-9+/=]/;

export function decodeBase64Image(value: string, maxBytes: number): DecodedImage {
  let data = value;
  let offset = 0;
  if (/^data:/i.test(value)) {
    const header = DATA_URI.exec(value);
    if (!header || !IMAGE_BASE64_MEDIA_TYPE.test(header[1] as string)) {
      return invalid(
        'is a data URI but not of the form data:image/<type>;base64,<data>: name an image type and base64, or send the bare base64',
      );
    }
    offset = header[0].length;
    data = value.slice(offset);
  }
  if (data.length === 0) return invalid('is empty: send the image bytes in base64');

  const stray = OUTSIDE_ALPHABET.exec(data);
  if (stray) return invalid(describeStray(stray[0], offset + stray.index));

  const firstPad = data.indexOf('=');
  const padding = firstPad === -1 ? 0 : data.length - firstPad;
  if (firstPad !== -1 && (padding > 2 || !/^=+$/.test(data.slice(firstPad)))) {
    return invalid(`has '=' at offset ${offset + firstPad}: '=' may only pad the end, at most twice`);
  }
  if (data.length % 4 !== 0) {
    return invalid(
      `is ${data.length} base64 characters, not a multiple of 4: add the '=' padding standard base64 ends with`,
    );
  }

  const size = (data.length / 4) * 3 - padding;
  if (size > maxBytes) {
    return {
      ok: false,
      problem: 'too-large',
      message: `decodes to ${size} bytes, more than the ${maxBytes} an image may have: send a smaller image`,
    };
  }
  return { ok: true, bytes: Buffer.from(data, 'base64') };
}

function describeStray(character: string, at: number): string {
  if (/\s/.test(character)) {
    return `has whitespace or a line break at offset ${at}: send base64 on one line (e.g. \`base64 -w0\`)`;
  }
  if (character === '-' || character === '_') {
    return `has '${character}' at offset ${at}, which is base64url: use the standard alphabet ('+' and '/')`;
  }
  return `has ${JSON.stringify(character)} at offset ${at}, which is not base64 (A–Z, a–z, 0–9, '+', '/', '=')`;
}

function invalid(message: string): DecodedImage {
  return { ok: false, problem: 'invalid', message };
}
