import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackDeliveryRecord, CallbackLog } from '../../src/callbacks/CallbackLog.ts';
import { createDirectoryCallbackLog } from '../../src/callbacks/directoryCallbackLog.ts';
import { createMemoryCallbackLog } from '../../src/callbacks/memoryCallbackLog.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'facematch-callback-log-'));
  dirs.push(dir);
  return dir;
}

function record(
  id: string,
  correlationId: string,
  state: CallbackDeliveryRecord['state'],
): CallbackDeliveryRecord {
  return {
    id,
    correlationId,
    partnerId: 'demo',
    url: 'https://partner.example/cb',
    body: '{"type":"submission.completed"}',
    state,
    createdAt: `2026-03-01T00:00:0${id.slice(-1)}.000Z`,
    attempts:
      state === 'pending'
        ? []
        : [{ at: '2026-03-01T00:00:10.000Z', durationMs: 3, statusCode: 200, ok: true }],
  };
}

const logs: Array<[string, () => Promise<CallbackLog>]> = [
  ['memory', async () => createMemoryCallbackLog()],
  ['directory', async () => createDirectoryCallbackLog(join(await tempDir(), 'callbacks'))],
];

describe.each(logs)('%s callback log', (_name, makeLog) => {
  it('returns what was saved, by id, by correlationId and by pending state', async () => {
    const log = await makeLog();
    await log.save(record('msg_1', 'corr/a', 'delivered'));
    await log.save(record('msg_2', 'corr/a', 'pending'));
    await log.save(record('msg_3', 'corr-b', 'pending'));

    expect(await log.get('msg_1')).toEqual(record('msg_1', 'corr/a', 'delivered'));
    expect(await log.get('msg_unknown')).toBeUndefined();
    expect((await log.byCorrelationId('corr/a')).map((r) => r.id)).toEqual(['msg_1', 'msg_2']);
    expect(await log.byCorrelationId('nobody')).toEqual([]);
    expect((await log.pending()).map((r) => r.id)).toEqual(['msg_2', 'msg_3']);
  });

  it('keeps everything an attempt records and what a scenario forces on the delivery', async () => {
    const log = await makeLog();
    const full: CallbackDeliveryRecord = {
      ...record('msg_1', 'corr-a', 'pending'),
      attempts: [
        {
          at: '2026-03-01T00:00:10.000Z',
          durationMs: 3,
          statusCode: 401,
          ok: false,
          error: 'receiver answered 401; only 2xx counts as delivered',
          requestHeaders: { 'webhook-id': 'msg_1', 'content-type': 'application/json' },
          responseBodyExcerpt: '{"error":"bad signature"}',
          responseBodyTruncated: false,
        },
      ],
      nextAttemptAt: '2026-03-01T00:00:11.000Z',
      retryBase: 1,
      forced: { failAttempts: 'all', duplicates: 2 },
    };
    await log.save(full);
    expect(await log.get('msg_1')).toEqual(full);
  });

  it('replaces a record saved again under the same id', async () => {
    const log = await makeLog();
    await log.save(record('msg_1', 'corr-a', 'pending'));
    await log.save(record('msg_1', 'corr-a', 'delivered'));
    expect((await log.byCorrelationId('corr-a')).map((r) => r.state)).toEqual(['delivered']);
    expect(await log.pending()).toEqual([]);
  });
});

describe('directory callback log', () => {
  it('reports corrupt files and keeps serving the readable ones', async () => {
    const dir = await tempDir();
    const problems: string[] = [];
    const log = createDirectoryCallbackLog(dir, {
      onCorrupt: (file, reason) => problems.push(`${file}: ${reason}`),
    });
    await log.save(record('msg_1', 'corr-a', 'pending'));
    const prefix = `${Buffer.from('corr-a').toString('base64url')}.`;
    await writeFile(join(dir, `${prefix}msg_broken.json`), '{"id": "msg_broken", "state": ');
    await writeFile(join(dir, `${prefix}msg_wrong.json`), JSON.stringify({ id: 'msg_wrong', state: 'lost' }));

    expect((await log.pending()).map((r) => r.id)).toEqual(['msg_1']);
    expect((await log.byCorrelationId('corr-a')).map((r) => r.id)).toEqual(['msg_1']);
    expect(problems.some((p) => p.includes('msg_broken.json') && p.includes('not JSON'))).toBe(true);
    expect(problems.some((p) => p.includes('msg_wrong.json') && p.includes('not a delivery record'))).toBe(
      true,
    );
  });

  it('leaves no temporary files behind and is empty before the first write', async () => {
    const dir = join(await tempDir(), 'not-yet-created');
    const log = createDirectoryCallbackLog(dir);
    expect(await log.pending()).toEqual([]);
    await Promise.all([1, 2, 3].map((n) => log.save(record(`msg_${n}`, 'corr-a', 'pending'))));
    expect((await readdir(dir)).filter((name) => !name.endsWith('.json'))).toEqual([]);
  });
});
