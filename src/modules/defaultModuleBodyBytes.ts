/** Room for a data-URI prefix per image, the resourceId and the JSON around them. */
const ENVELOPE_BYTES = 64 * 1024;

/**
 * The module's body limit when the config names none: one pair of images at
 * the bucket's object limit, in base64 (4 characters per 3 bytes), plus the
 * envelope. Several pairs share that budget.
 */
export function defaultModuleBodyBytes(maxImageBytes: number): number {
  return 2 * 4 * Math.ceil(maxImageBytes / 3) + ENVELOPE_BYTES;
}
