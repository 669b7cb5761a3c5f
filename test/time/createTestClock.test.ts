import { describe, expect, it } from 'vitest';
import { createTestClock } from '../../src/time/createTestClock.ts';

describe('a partner test clock', () => {
  it('advancing a running clock adds exactly that lead over wall time, however long the advance takes', async () => {
    // Wall time moves 1 ms every time it is read: an advance can never happen within one millisecond.
    let wall = Date.parse('2026-01-01T00:00:00Z');
    const clock = createTestClock({ wallNow: () => wall++ });
    let ran = 0;
    clock.at(new Date(wall + 60_000), () => ran++);
    await clock.advance(600_000);
    expect(ran).toBe(1);
    expect(clock.state().offsetMs).toBe(600_000);
    await clock.advance(1);
    expect(clock.state().offsetMs).toBe(600_001);
  });

  it('advancing a frozen clock moves it by exactly that much and keeps it frozen', async () => {
    let wall = Date.parse('2026-01-01T00:00:00Z');
    const clock = createTestClock({ frozen: true, wallNow: () => wall++ });
    const before = clock.now().getTime();
    await clock.advance(90_000);
    expect(clock.now().getTime() - before).toBe(90_000);
    expect(clock.state().frozen).toBe(true);
  });
});
