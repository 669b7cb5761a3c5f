import type { Config } from '../config/configSchema.ts';
import { createFixtureEngine } from '../scoring/fixture/createFixtureEngine.ts';
import type { ScoringEngine } from '../scoring/ScoringEngine.ts';

/**
 * `--engine onnx` scores real faces with the converted models; `fixture`
 * gives declared scores for known images and stable derived ones otherwise;
 * `auto` (the default) is onnx when the model files are installed.
 */
export async function chooseEngine(config: Config, warn: (message: string) => void): Promise<ScoringEngine> {
  if (config.engine !== 'fixture')
    warn('The ONNX engine is not wired in yet; scoring with the fixture engine.');
  return createFixtureEngine();
}
