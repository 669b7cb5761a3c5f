import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Past this many, `auto` stops adding workers: each holds its own sessions (~110 MB), and a mock
 * on a big CI host should not take gigabytes unasked. A number in the config goes beyond it.
 */
export const AUTO_WORKERS_MAX = 8;

/**
 * How many inference workers `onnx.workers` asks for. `auto` is one per core this process may
 * use, because each worker keeps one core busy (one JS thread, intra-op threads 1): the CPUs it
 * may run on (os.availableParallelism()), fewer under a container's CPU quota (`docker run
 * --cpus 2` leaves every host CPU visible, and libuv before 1.49 does not read the quota), and at
 * most AUTO_WORKERS_MAX.
 */
export function inferenceWorkerCount(setting: 'auto' | number): number {
  if (setting !== 'auto') return setting;
  const quota = cgroupCpuQuota();
  const cores = quota === undefined ? availableParallelism() : Math.min(availableParallelism(), quota);
  return Math.max(1, Math.min(cores, AUTO_WORKERS_MAX));
}

/** CPUs granted by the cgroup's CFS quota, rounded up (v2 `cpu.max`, else v1); undefined when unlimited or unknown. */
function cgroupCpuQuota(): number | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v2 = read('/sys/fs/cgroup/cpu.max')?.split(/\s+/);
  const [quota, period] = v2
    ? [Number(v2[0]), Number(v2[1])] // "max 100000" gives NaN: unlimited
    : [
        Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')),
        Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')),
      ];
  if (!(quota > 0) || !(period > 0)) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}
