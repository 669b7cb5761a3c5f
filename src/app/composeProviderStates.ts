import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlServices } from '../admin/ControlServices.ts';
import type { ObjectStore } from '../bucket/ObjectStore.ts';
import { type ProviderStateDeps, setUpProviderState } from '../contract/providerStates.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import { uploadKey } from '../submissions/uploadKey.ts';
import { FIXTURES_DIR } from './projectFiles.ts';

/** Wires Pact provider states to the flow; kept apart so composeServices only gains one line. */
export function composeProviderStates(
  p: Omit<ProviderStateDeps, 'storeImage' | 'images'> & { objects: Pick<ObjectStore, 'put'> },
): ControlServices['providerStates'] {
  let images: ReturnType<ProviderStateDeps['images']> | undefined;
  const deps: ProviderStateDeps = {
    ...p,
    // Stored as the bucket stores a PUT (quoted MD5 ETag), so confirm sees an ordinary upload.
    storeImage: (correlationId, role: ImageRole, bytes, contentType) =>
      p.objects.put(uploadKey(correlationId, role), bytes, {
        contentType,
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
      }),
    images: () => {
      images ??= Promise.all([
        readFile(join(FIXTURES_DIR, 'success-selfie.png')),
        readFile(join(FIXTURES_DIR, 'document.jpg')),
      ]).then(([selfie, document]) => ({
        SELFIE: { bytes: selfie, contentType: 'image/png' as const },
        DOCUMENT: { bytes: document, contentType: 'image/jpeg' as const },
      }));
      return images;
    },
  };
  return { setUp: (partnerId, state, params) => setUpProviderState(deps, partnerId, state, params) };
}
