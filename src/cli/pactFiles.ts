import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/ConfigError.ts';

/** Each argument is a pact file, or a folder whose *.json files are pacts (in name order). */
export async function pactFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new ConfigError(`No such pact file or folder: ${path}`);
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => n.endsWith('.json')).sort();
      if (names.length === 0) throw new ConfigError(`No *.json pact files in ${path}`);
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}
