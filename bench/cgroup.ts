import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A memory cgroup of a function's size, as the platform enforces a function's memory: the kernel
 * charges the process's every page to it, and kills the process when it would pass the limit.
 * The process joins before Node starts, so that Node sizes its heap from the limit
 * (`process.constrainedMemory()`), with no heap flags, as on the platform.
 */
export interface MemoryCgroup {
  readonly version: 'v1' | 'v2';
  readonly dir: string;
  /** A program that joins the cgroup, then runs Node with its arguments: a child's execPath. */
  readonly nodePath: string;
  /** The most the cgroup's processes held at once, as the kernel charges it. */
  peakBytes(): number;
  /** Processes of the cgroup the kernel's OOM killer ended. */
  oomKills(): number;
  /** Removes the cgroup; its processes must have ended. */
  remove(): void;
}

/** Why no cgroup could be made here: the bench then sizes the heap instead, and says so. */
export interface NoCgroup {
  readonly unavailable: string;
}

const ROOT = '/sys/fs/cgroup';
/** v1's memory controller has a hierarchy of its own; v2's is one tree for all controllers. */
const V1 = path.join(ROOT, 'memory');

const counter = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

/** The files of each version, and what to write to bound memory and swap. */
interface Layout {
  readonly parent: string;
  /** The files that bound the cgroup, and what each is set to. */
  limits(bytes: number): ReadonlyArray<readonly [file: string, value: number]>;
  readonly peak: string;
  readonly events: string;
}

const LAYOUT: Record<'v1' | 'v2', Layout> = {
  v1: {
    parent: V1,
    limits: (bytes: number) => [
      ['memory.limit_in_bytes', bytes],
      // With swap, the limit would bound memory only, not memory and swap as the platform does.
      ['memory.memsw.limit_in_bytes', bytes],
    ],
    peak: 'memory.max_usage_in_bytes',
    events: 'memory.oom_control',
  },
  v2: {
    parent: ROOT,
    limits: (bytes: number) => [
      ['memory.max', bytes],
      ['memory.swap.max', 0],
    ],
    peak: 'memory.peak',
    events: 'memory.events',
  },
};

function versionHere(): 'v1' | 'v2' | NoCgroup {
  if (process.platform !== 'linux')
    return { unavailable: `cgroups are Linux's; this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { unavailable: 'making a cgroup takes root' };
  const controllers = path.join(ROOT, 'cgroup.controllers');
  if (
    existsSync(controllers) &&
    readFileSync(controllers, 'utf8').split(/\s+/).includes('memory')
  ) {
    return 'v2';
  }
  if (existsSync(path.join(V1, 'memory.limit_in_bytes'))) return 'v1';
  return { unavailable: `no memory controller under ${ROOT}` };
}

/**
 * A new memory cgroup of `limitBytes`, or why there can be none: not Linux, not root, or no
 * memory controller mounted where the kernel puts it.
 */
export function createMemoryCgroup(limitBytes: number): MemoryCgroup | NoCgroup {
  const version = versionHere();
  if (typeof version !== 'string') return version;
  const layout = LAYOUT[version];
  const dir = path.join(layout.parent, `yc-canceller-bench-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir);
    // A kernel without swap accounting has no file for it: memory alone is bounded.
    for (const [file, value] of layout.limits(limitBytes)) {
      const target = path.join(dir, file);
      if (existsSync(target)) writeFileSync(target, String(value));
    }
  } catch (error) {
    if (existsSync(dir)) rmdirSync(dir);
    return { unavailable: `could not make ${dir}: ${(error as Error).message}` };
  }
  const scripts = mkdtempSync(path.join(os.tmpdir(), 'yc-canceller-cgroup-'));
  const nodePath = path.join(scripts, 'node-in-cgroup');
  // `exec` keeps the pid, so the process that joined is the process Node runs as.
  writeFileSync(
    nodePath,
    `#!/bin/sh\necho $$ > '${path.join(dir, 'cgroup.procs')}' || exit 97\nexec '${process.execPath}' "$@"\n`,
    { mode: 0o755 },
  );
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  return {
    version,
    dir,
    nodePath,
    peakBytes: () => Number(read(layout.peak).trim()),
    oomKills: () => counter(read(layout.events), 'oom_kill'),
    remove() {
      rmdirSync(dir);
      rmSync(scripts, { recursive: true, force: true });
    },
  };
}
