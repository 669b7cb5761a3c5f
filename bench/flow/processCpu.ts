import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a running process has used (Linux), or undefined when it cannot be
 * read (another OS, a process that ended). The machine is shared, so wall-clock rates move with
 * other people's load; CPU per pair and per flow much less. With `mainThreadOnly`, only the thread
 * that runs the event loop (its id is the process id): the HTTP work that competes with the
 * inference workers for the cores.
 */
export function processCpuSeconds(pid: number | undefined, mainThreadOnly = false): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
