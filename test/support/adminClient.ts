import type { components, paths } from '../../src/admin/generated/admin.ts';

type Schemas = components['schemas'];
export type JournalQuery = NonNullable<paths['/__admin/journal']['get']['parameters']['query']>;

/** What an operator's script does with the admin API, over real HTTP with fetch. */
export function adminClient(baseUrl: string, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const get = (path: string) => fetch(`${baseUrl}${path}`, { headers, signal: AbortSignal.timeout(5000) });
  return {
    get,
    async journal(query: JournalQuery = {}) {
      const search = new URLSearchParams(
        Object.entries(query).map(([name, value]) => [name, String(value)] as [string, string]),
      );
      const response = await get(`/__admin/journal?${search}`);
      if (response.status !== 200) throw new Error(`journal: ${response.status} ${await response.text()}`);
      return (await response.json()) as Schemas['JournalPage'];
    },
    async clearJournal(partner?: string) {
      const response = await fetch(
        `${baseUrl}/__admin/journal${partner ? `?partner=${encodeURIComponent(partner)}` : ''}`,
        { method: 'DELETE', headers, signal: AbortSignal.timeout(5000) },
      );
      return { response, body: (await response.json()) as Schemas['JournalCleared'] };
    },
  };
}
