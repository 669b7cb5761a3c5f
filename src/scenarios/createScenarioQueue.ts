/**
 * "The next N submissions of partner P get scenario S", set through the admin
 * API. Entries are used in the order they were added; each partner has its
 * own queue, so parallel CI jobs using different partners never interfere.
 */
export interface QueuedScenario {
  scenario: string;
  remaining: number;
}

export interface ScenarioQueue {
  add(partnerId: string, scenario: string, count: number): QueuedScenario[];
  /** Takes one use of the partner's first entry, or undefined when the queue is empty. */
  take(partnerId: string): string | undefined;
  list(partnerId: string): QueuedScenario[];
  clear(partnerId?: string): void;
}

export function createScenarioQueue(): ScenarioQueue {
  const queues = new Map<string, QueuedScenario[]>();
  const list = (partnerId: string) => (queues.get(partnerId) ?? []).map((entry) => ({ ...entry }));
  return {
    add(partnerId, scenario, count) {
      const queue = queues.get(partnerId) ?? [];
      queue.push({ scenario, remaining: count });
      queues.set(partnerId, queue);
      return list(partnerId);
    },
    take(partnerId) {
      const queue = queues.get(partnerId);
      const head = queue?.[0];
      if (!queue || !head) return undefined;
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      return head.scenario;
    },
    list,
    clear(partnerId) {
      if (partnerId === undefined) queues.clear();
      else queues.delete(partnerId);
    },
  };
}
