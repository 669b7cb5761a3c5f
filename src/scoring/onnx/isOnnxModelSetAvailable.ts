import { existsSync } from 'node:fs';
import { DEFAULT_MANIFEST_PATH, loadModelSet } from './loadModelSet.ts';

/**
 * True when the manifest names a model set whose files are all on disk: the
 * composition root uses it to default to the onnx engine (and fall back to the
 * fixture engine on a checkout where the converter has not run yet).
 */
export function isOnnxModelSetAvailable(manifestPath = DEFAULT_MANIFEST_PATH, setName?: string): boolean {
  try {
    const { spec } = loadModelSet(manifestPath, setName);
    return [spec.detector.file, spec.recognizer.file, spec.landmarks?.file]
      .filter((f): f is string => typeof f === 'string')
      .every((f) => existsSync(f));
  } catch {
    return false;
  }
}
