import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux ABI Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  rssBytes: number;
  /** User plus system CPU time spent so far: unlike wall time, barely moved by other load on the machine. */
  cpuMs: number;
}

/**
 * Resident memory and CPU time of a process plus all its descendants, from /proc (Linux): a
 * server that forks workers must not look smaller than one that does not.
 */
export function processTreeUsage(rootPid: number): ProcessUsage {
  const children = new Map<number, number[]>();
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
    if (!stat) continue;
    // The command name in parentheses may hold spaces or parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    stats.set(pid, fields);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const usage = { rssBytes: 0, cpuMs: 0 };
  const pending = [rootPid];
  while (pending.length) {
    const pid = pending.pop() as number;
    const kib = /VmRSS:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`) ?? '')?.[1];
    usage.rssBytes += Number(kib ?? 0) * 1024;
    // utime and stime are fields 14 and 15 of stat, 12 and 13 counted from the state field.
    const fields = stats.get(pid);
    if (fields) usage.cpuMs += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    pending.push(...(children.get(pid) ?? []));
  }
  return usage;
}

/** A process may end between listing /proc and reading it. */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
