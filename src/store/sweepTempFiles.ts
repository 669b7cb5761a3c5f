import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every store writes to `*.tmp` and renames into place; a process killed in
 * between (kill -9, power loss) leaves the temp file behind. At start-up no
 * write is in progress, so any `*.tmp` in the data dir or its folders is stray.
 */
export function sweepTempFiles(dataDir: string): number {
  let removed = 0;
  const sweep = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // Not created yet: nothing to sweep.
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { force: true });
        removed++;
      } else if (depth > 0 && statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
        sweep(path, depth - 1);
      }
    }
  };
  sweep(dataDir, 1);
  return removed;
}
