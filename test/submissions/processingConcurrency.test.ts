import { describe, expect, it } from 'vitest';
import { processingConcurrency } from '../../src/submissions/processingConcurrency.ts';

describe('processing.concurrency', () => {
  it('auto keeps two jobs per scoring slot of the engine, 8 for an engine without a limit; a number wins', () => {
    expect(processingConcurrency('auto', 4)).toBe(8);
    expect(processingConcurrency('auto', undefined)).toBe(8);
    expect(processingConcurrency(3, 4)).toBe(3);
  });
});
