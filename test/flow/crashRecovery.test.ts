import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { startReceiver } from '../support/receiver.ts';
import { resilientPartner } from '../support/resilientPartner.ts';
import { freePort, type ServerProcess, startServerProcess } from '../support/serverProcess.ts';
import { storeVariants } from '../support/storeVariants.ts';
import { DEMO } from '../support/testServer.ts';
import { waitFor } from '../support/waitFor.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Fast timings, so flows are in every state (uploading, processing, calling back) when the process dies. */
function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      partners: [DEMO],
      processing: { delayMs: 300, concurrency: 4, retryAfterSeconds: 1 },
      callbacks: { retryScheduleMs: [200, 400, 800, 1600], timeoutMs: 2000 },
    }),
  );
  return file;
}

// The memory store keeps nothing across a process's death by design; these stores keep everything.
const persistent = (await storeVariants()).filter((variant) => variant.name !== 'memory');

describe.each(persistent)('$name store: kill -9 in the middle of flows', (variant) => {
  it('loses no accepted flow and sends each completion under one webhook-id', async () => {
    const store = await variant.open();
    cleanups.push(() => store.cleanup());
    // Every callback is accepted, a little slowly, so some are on the wire when the process dies.
    const receiver = await startReceiver(() => ({ status: 204, delayMs: 20 }));
    cleanups.push(() => receiver.close());
    const port = await freePort();
    const args = ['--port', String(port), '--engine', 'fixture', '--config', writeConfig(), ...store.args];
    let server: ServerProcess = startServerProcess(args);
    cleanups.push(() => server.kill());
    await server.ready();

    const partner = resilientPartner({ baseUrl: () => server.url, ...DEMO });
    const images = { selfie: await readFixture('success-selfie'), document: await readFixture('document') };
    const accepted: string[] = [];
    const flows = Array.from({ length: 40 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 25));
      const id = await partner.submit(images, { callbackUrl: receiver.url });
      accepted.push(id);
      return id;
    });
    await waitFor(() => accepted.length >= 15, '15 confirmed flows before the kill', 30_000);
    server.kill();
    await server.exited;
    server = startServerProcess(args);
    await server.ready();

    const ids = await Promise.all(flows);
    for (const id of ids) {
      const details = await partner.outcome(id);
      expect({ id, status: details.status, score: details.result?.score }).toEqual({
        id,
        status: 'COMPLETED',
        score: 92,
      });
    }
    const correlationOf = (body: string) =>
      (JSON.parse(body) as { data: { correlationId: string } }).data.correlationId;
    await waitFor(
      () => new Set(receiver.requests.map((r) => correlationOf(r.rawBody))).size === ids.length,
      'a completion callback for every flow',
      30_000,
    );
    const webhookIds = new Map<string, Set<string>>();
    for (const request of receiver.requests) {
      const id = correlationOf(request.rawBody);
      webhookIds.set(id, (webhookIds.get(id) ?? new Set()).add(String(request.headers['webhook-id'])));
    }
    // A repeat after the crash is allowed (at least once), but only ever under the same webhook-id.
    const twoIds = [...webhookIds]
      .filter(([, set]) => set.size !== 1)
      .map(([id, set]) => `${id}: ${[...set]}`);
    expect(twoIds).toEqual([]);
  });
});
