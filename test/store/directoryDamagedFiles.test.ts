/** Files a crash or a stranger left in the data dir: skipped or swept with a warning, never a store that will not start. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openSubmission } from '../../src/domain/submissionLifecycle.ts';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';

const opts = (warnings: string[]) => ({
  retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
  journalCapacity: 10,
  initialClock: 'real' as const,
  now: () => new Date(),
  warn: (m: string) => warnings.push(m),
});

it.each(['{"state": "lost"}', 'null', '[]', '{"submission": {"correlationId": "x"}}'])(
  'a submission file that is JSON but not a document (%s) is reported, the rest served',
  async (content) => {
    const dir = await mkdtemp(join(tmpdir(), 'bug-'));
    try {
      const first = await createDirectoryStore(dir, opts([]));
      await first.submissions.create(
        openSubmission(
          {
            correlationId: 'sub-1',
            partnerId: 'demo',
            referenceId: null,
            documentType: 'KTP',
            callbackUrl: null,
            contentTypes: { SELFIE: 'image/png', DOCUMENT: 'image/png' },
          },
          new Date(),
        ),
      );
      await first.close();
      await writeFile(join(dir, 'store', 'submissions', 'sub-wrong.json'), content);
      const warnings: string[] = [];
      const store = await createDirectoryStore(dir, opts(warnings));
      expect(await store.submissions.get('sub-1')).toBeDefined();
      expect(warnings.some((w) => w.includes('sub-wrong.json'))).toBe(true);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

it('a temporary file left beside reset.json is swept at start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bug-'));
  try {
    const first = await createDirectoryStore(dir, opts([]));
    await first.close();
    const stray = join(dir, 'store', `reset.json.${randomUUID()}.tmp`);
    await writeFile(stray, '{"partnerId":');
    const warnings: string[] = [];
    const store = await createDirectoryStore(dir, opts(warnings));
    await store.close();
    expect(warnings).toEqual([expect.stringMatching(/removed 1 unfinished temporary file/)]);
    expect(
      await stat(stray).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
