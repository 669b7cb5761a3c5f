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

/**
 * CPU seconds the whole machine has been busy (every core: user, nice, system, irq, softirq,
 * steal; not idle or iowait) since boot (Linux), or undefined. Beside a process's own CPU over the
 * same interval it says how much the machine's other work took: on a shared machine, the reason a
 * rate moved.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}
