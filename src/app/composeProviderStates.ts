import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlServices } from '../admin/ControlServices.ts';
import { type ProviderStateDeps, setUpProviderState } from '../contract/providerStates.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { SandboxStore } from '../store/SandboxStore.ts';
import { FIXTURES_DIR } from './projectFiles.ts';

/** Wires Pact provider states to the flow; kept apart so composeServices only gains one line. */
export function composeProviderStates(
  p: Omit<ProviderStateDeps, 'storeImage' | 'images'> & {
    store: Pick<SandboxStore, 'submissions' | 'excludingReset'>;
  },
): ControlServices['providerStates'] {
  let images: ReturnType<ProviderStateDeps['images']> | undefined;
  const deps: ProviderStateDeps = {
    ...p,
    // Stored as the bucket stores a PUT (quoted MD5 ETag), so confirm sees an ordinary upload.
    async storeImage(correlationId, role: ImageRole, bytes, contentType) {
      const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
      const stored = await p.store.submissions.putImage(correlationId, role, { bytes, contentType, etag });
      if (stored === 'locked') throw new Error(`submission ${correlationId} no longer takes uploads`);
    },
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
  return {
    // A state is set up through several steps of the flow: a reset of the partner must not fall
    // between them, so it waits, or the set-up does.
    setUp: (partnerId, state, params) =>
      p.store.excludingReset(partnerId, () => setUpProviderState(deps, partnerId, state, params)),
  };
}
