import { describe, expect, it } from 'vitest';
import { defaultModuleBodyBytes } from '../../src/modules/defaultModuleBodyBytes.ts';

describe('defaultModuleBodyBytes', () => {
  it('fits the seed payload with two images at the limit behind data: prefixes', () => {
    const maxImageBytes = 10 * 1024 * 1024;
    const image = `data:image/jpeg;base64,${Buffer.alloc(maxImageBytes + 2).toString('base64')}`;
    const body = JSON.stringify({
      resourceId: 'r'.repeat(256),
      context: { subject: { biometrics: [{ face1Image: image, face2Image: image }] } },
    });
    expect(Buffer.byteLength(body)).toBeLessThan(defaultModuleBodyBytes(maxImageBytes));
    // The figure the README quotes.
    expect(defaultModuleBodyBytes(maxImageBytes)).toBe(28_027_568);
  });
});
