import { createHash } from 'node:crypto';
import type { SourcePackage } from './faceApiPackage.ts';
import type { NetworkSpec } from './networkSpec.ts';
import { readTfjsWeights } from './tfjsWeights.ts';

export interface ConvertedNetwork {
  bytes: Uint8Array;
  sha256: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Builds one ONNX file in memory. The bytes depend only on the weights and this converter: no
 * timestamps, no package version (a face-api release with identical weights keeps the same sha256).
 */
export async function convertNetwork(spec: NetworkSpec, source: SourcePackage): Promise<ConvertedNetwork> {
  const weights = await readTfjsWeights(source.modelDir, spec.sourceManifest);
  const bytes = spec.build(weights).encode({
    docString: `${spec.name}: converted by facematch-mock models/convert from ${source.name} model/${spec.sourceManifest}`,
    metadata: {
      source_package: source.name,
      source_manifest: spec.sourceManifest,
      input: spec.input.name,
      outputs: spec.outputs.map((o) => o.name).join(','),
      normalisation: spec.input.normalisation.graphComputes,
    },
  });
  return { bytes, sha256: sha256(bytes) };
}
