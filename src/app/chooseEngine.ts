import { ConfigError } from '../config/ConfigError.ts';
import type { Config } from '../config/configSchema.ts';
import { createFixtureEngine } from '../scoring/fixture/createFixtureEngine.ts';
import { createOnnxEngine } from '../scoring/onnx/createOnnxEngine.ts';
import { inferenceWorkerCount } from '../scoring/onnx/inferenceWorkerCount.ts';
import { isOnnxModelSetAvailable } from '../scoring/onnx/isOnnxModelSetAvailable.ts';
import { DEFAULT_MANIFEST_PATH } from '../scoring/onnx/loadModelSet.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';

/** The engine chooseEngine will give, without loading it: `onnx` when its models are installed. */
export function expectedEngineName(config: Config): 'onnx' | 'fixture' {
  if (config.engine === 'fixture') return 'fixture';
  const manifestPath = config.onnx.manifestPath ?? DEFAULT_MANIFEST_PATH;
  return config.engine === 'onnx' || isOnnxModelSetAvailable(manifestPath, config.onnx.modelSet)
    ? 'onnx'
    : 'fixture';
}

/**
 * `--engine onnx` scores real faces with the converted models; `fixture`
 * gives declared scores for known images and stable derived ones otherwise;
 * `auto` (the default) is onnx when the model files are installed.
 */
export async function chooseEngine(config: Config, warn: (message: string) => void): Promise<ScoringEngine> {
  if (config.engine === 'fixture') return createFixtureEngine();
  const manifestPath = config.onnx.manifestPath ?? DEFAULT_MANIFEST_PATH;
  if (!isOnnxModelSetAvailable(manifestPath, config.onnx.modelSet)) {
    const fix = config.onnx.manifestPath
      ? `check the files named in ${manifestPath}`
      : 'run `npm run models` to convert them from @vladmandic/face-api';
    if (config.engine === 'onnx')
      throw new ConfigError(`--engine onnx: the ONNX models are not all present; ${fix}.`);
    warn(`ONNX models not found (${fix}); scoring with the fixture engine.`);
    return createFixtureEngine();
  }
  // Always in worker threads: in-thread, every model run would hold the event loop that answers polls.
  return createOnnxEngine({
    manifestPath,
    modelSet: config.onnx.modelSet,
    intraOpNumThreads: config.onnx.intraOpThreads,
    workers: inferenceWorkerCount(config.onnx.workers),
    warn,
  });
}
