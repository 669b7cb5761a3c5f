import { describe, expect, it } from 'vitest';
import { reportFlowError } from '../../src/app/reportFlowError.ts';
import { ScenarioEngineFailure } from '../../src/scenarios/withScenarioResult.ts';
import { DeclaredEngineError } from '../../src/scoring/fixture/DeclaredEngineError.ts';

function recorder() {
  const lines: string[] = [];
  const log = {
    info: (message: string) => lines.push(`info ${message}`),
    warn: (message: string) => lines.push(`warn ${message}`),
    error: (message: string, error?: unknown) =>
      lines.push(`error ${message}: ${error instanceof Error ? error.stack : String(error)}`),
  };
  return { lines, report: reportFlowError(log) };
}

describe('flow failures in the log', () => {
  it('logs a failure a scenario or fixture asked for at info, without a stack', () => {
    const { lines, report } = recorder();
    report('scoring a', new ScenarioEngineFailure('the scoring engine failed (scenario)'));
    report('scoring b', new DeclaredEngineError('broken.jpg', 'model crashed'));
    expect(lines).toEqual([
      'info scoring a: failed on purpose (the scoring engine failed (scenario))',
      expect.stringMatching(/^info scoring b: failed on purpose \(model crashed/),
    ]);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('still logs a real engine failure as an error, with its stack', () => {
    const { lines, report } = recorder();
    report('scoring c', new Error('onnxruntime: out of memory'));
    expect(lines).toEqual([
      expect.stringMatching(/^error scoring c: Error: onnxruntime: out of memory\n\s+at /),
    ]);
  });
});
