import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a small system file, or undefined when it cannot (absent, not Linux, no permission). */
export type ReadSystemFile = (path: string) => string | undefined;

const readSystemFile: ReadSystemFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

interface CgroupMount {
  /** The cgroup path the mount shows at its mount point (`/` unless a container bind-mounted its own). */
  root: string;
  mountPoint: string;
  version: 1 | 2;
}

/** The cgroup v2 mount, or the v1 mount of the `cpu` controller, from `/proc/self/mountinfo`. */
function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after === undefined) continue;
    const fields = before!.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fsType === 'cgroup2') mounts.push({ root, mountPoint, version: 2 });
    else if (fsType === 'cgroup' && superOptions.split(',').includes('cpu'))
      mounts.push({ root, mountPoint, version: 1 });
  }
  return mounts;
}

/** The folders of a cgroup and of each of its ancestors under the mount: a limit anywhere above applies too. */
function cgroupFolders(mount: CgroupMount, path: string): string[] {
  const relative =
    mount.root === '/' ? path : path.startsWith(mount.root) ? path.slice(mount.root.length) : '';
  const parts = relative.split('/').filter(Boolean);
  const folders: string[] = [];
  for (let n = parts.length; n >= 0; n--)
    folders.push([mount.mountPoint, ...parts.slice(0, n)].join('/'));
  return folders;
}

/** CPUs a cgroup folder allows, when it sets a quota: v2 `cpu.max` (`quota period` or `max period`), v1 `cpu.cfs_quota_us` over `cpu.cfs_period_us` (−1: none). */
function folderLimit(read: ReadSystemFile, folder: string, version: 1 | 2): number | undefined {
  let quota: number;
  let period: number;
  if (version === 2) {
    const [q, p] = (read(`${folder}/cpu.max`) ?? '').trim().split(/\s+/);
    quota = Number(q);
    period = Number(p);
  } else {
    quota = Number(read(`${folder}/cpu.cfs_quota_us`)?.trim());
    period = Number(read(`${folder}/cpu.cfs_period_us`)?.trim());
  }
  return quota > 0 && period > 0 ? quota / period : undefined;
}

/**
 * The CPU bandwidth this process's cgroup allows, in CPUs (`1.5` for a quota of 150 ms per
 * 100 ms period), the smallest over the cgroup and its ancestors; undefined when no quota is set
 * or the system has no cgroups (not Linux, no `/proc`). Reads cgroup v2 (`cpu.max`) and v1
 * (`cpu.cfs_quota_us` / `cpu.cfs_period_us`), a hybrid system both.
 *
 * @example
 * ```ts
 * cgroupCpuLimit(); // 1 in a container started with --cpus=1, undefined on a bare host
 * ```
 */
export function cgroupCpuLimit(read: ReadSystemFile = readSystemFile): number | undefined {
  const cgroups = read('/proc/self/cgroup');
  const mountinfo = read('/proc/self/mountinfo');
  if (cgroups === undefined || mountinfo === undefined) return undefined;
  const mounts = cgroupMounts(mountinfo);
  let limit: number | undefined;
  for (const line of cgroups.split('\n')) {
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers, path] = match;
    // `0::/path` is the v2 hierarchy; a v1 line names its controllers.
    const version = controllers === '' ? 2 : controllers!.split(',').includes('cpu') ? 1 : 0;
    if (version === 0) continue;
    for (const mount of mounts) {
      if (mount.version !== version) continue;
      for (const folder of cgroupFolders(mount, path!)) {
        const cpus = folderLimit(read, folder, version);
        if (cpus !== undefined) limit = limit === undefined ? cpus : Math.min(limit, cpus);
      }
    }
  }
  return limit;
}

/**
 * The cores this process can keep busy: `os.availableParallelism()` (the CPUs it may run on),
 * lowered to whole CPUs of its cgroup quota ({@link cgroupCpuLimit}); at least 1. A container
 * given `--cpus=1.5` on a 16-core host has 1: a second thread would only be throttled.
 *
 * @example
 * ```ts
 * const offThread = usableCores() > 1;
 * ```
 */
export function usableCores(
  read: ReadSystemFile = readSystemFile,
  cpus: number = availableParallelism(),
): number {
  const limit = cgroupCpuLimit(read);
  return Math.max(1, limit === undefined ? cpus : Math.min(cpus, Math.floor(limit)));
}
