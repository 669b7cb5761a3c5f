import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '../../../src/store/SandboxStore.ts';
import { StorageError } from '../../../src/store/StorageError.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcpProxy.ts';
import { captureLog, eventually, newSubmission, storeOpener } from './postgresStores.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(unavailable);

describe.skipIf(unavailable !== null)('a PostgreSQL store that loses its database', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  const stores = storeOpener(() => database.url);
  beforeAll(async () => {
    database = await createTestDatabase('lost');
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  });
  afterAll(async () => {
    await stores.closeAll();
    await proxy?.close();
    await database?.drop();
  });

  it('answers StorageError while it is gone, and works again when it is back, without being recreated', async () => {
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const log = captureLog();
    const store = await stores.open({ databaseUrl: viaProxy.toString(), log });
    const direct = await stores.open();
    const seen: StateChange[] = [];
    store.changes.subscribe((change) => seen.push(change));

    const before = newSubmission('partner-lost');
    await store.submissions.create(before);
    await store.ping();

    proxy.cut();
    await expect(store.ping()).rejects.toBeInstanceOf(StorageError);
    await expect(store.submissions.get(before.correlationId)).rejects.toBeInstanceOf(StorageError);
    await expect(store.submissions.create(newSubmission('partner-lost'))).rejects.toBeInstanceOf(
      StorageError,
    );
    await expect(
      store.submissions.confirm(before.correlationId, 'partner-lost', new Date(), null),
    ).rejects.toBeInstanceOf(StorageError);
    await expect(store.excludingReset('partner-lost', async () => 'ran')).rejects.toBeInstanceOf(
      StorageError,
    );
    await eventually(
      () => log.warnings.some((w) => w.startsWith('change feed:')),
      'the change feed to say it lost the database',
    );

    proxy.restore();
    await eventually(
      () =>
        store.ping().then(
          () => true,
          () => false,
        ),
      'the store to reach the database again',
    );
    expect(await store.submissions.get(before.correlationId)).toEqual(before);
    expect(await store.excludingReset('partner-lost', async () => 'ran')).toBe('ran');
    // The change feed is back too: another instance's change reaches this one's subscribers.
    await eventually(async () => {
      const after = newSubmission('partner-lost');
      await direct.submissions.create(after);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return seen.some((c) => c.kind === 'submission' && c.correlationId === after.correlationId);
    }, 'a change made elsewhere to reach the reconnected change feed');
    expect(log.warnings.filter((w) => w.startsWith('change feed:'))).toHaveLength(1);
    expect(log.errors).toEqual([]);
  });
});
