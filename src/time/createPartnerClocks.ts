import { createTestClock, type TestClock } from './createTestClock.ts';

/** One business clock per partner, made on first use, so two partners' tests never share time. */
export interface PartnerClocks {
  for(partnerId: string): TestClock;
  /** Partners whose clock exists (has been read or changed). */
  partners(): string[];
  /** Drops every clock's pending work (shutdown). */
  clear(): void;
  /** Resolves once no clock has pending work. */
  idle(): Promise<void>;
}

export function createPartnerClocks(
  options: { frozen?: boolean; wallNow?: () => number } = {},
): PartnerClocks {
  const clocks = new Map<string, TestClock>();
  return {
    for(partnerId) {
      let clock = clocks.get(partnerId);
      if (!clock) {
        clock = createTestClock({
          frozen: options.frozen ?? false,
          ...(options.wallNow ? { wallNow: options.wallNow } : {}),
        });
        clocks.set(partnerId, clock);
      }
      return clock;
    },
    partners: () => [...clocks.keys()],
    clear() {
      for (const clock of clocks.values()) clock.clear();
    },
    async idle() {
      await Promise.all([...clocks.values()].map((clock) => clock.idle()));
    },
  };
}
