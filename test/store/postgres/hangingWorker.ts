// Started as a child process by takeOver.test.ts: a store instance whose work queue takes jobs and
// never finishes them, until the test kills the process (no graceful shutdown, no last words).
import { createPostgresStore } from '../../../src/store/postgres/createPostgresStore.ts';

const [databaseUrl, settings] = process.argv.slice(2);
if (!databaseUrl || !settings) throw new Error('usage: hangingWorker.ts <database-url> <jobs settings json>');

const store = await createPostgresStore({
  databaseUrl,
  poolSize: 2,
  log: { warn: () => undefined, error: () => undefined },
  retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
  journalCapacity: 10,
  initialClock: 'real',
  now: () => new Date(),
  jobs: JSON.parse(settings),
});
const hang = (id: string) => {
  process.stdout.write(`taken ${id}\n`);
  return new Promise<void>(() => undefined);
};
await store.work.start({ process: hang, deliver: hang }, { processConcurrency: 1, deliverConcurrency: 1 });
process.stdout.write('started\n');
