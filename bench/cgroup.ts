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

/** The files of each version: what bounds memory and swap, and what tells the peak and kills. */
interface Layout {
  readonly parent: string;
  /** Which controllers a new cgroup under `parent` has; memory must be among them. */
  readonly controllers: string;
  readonly limit: string;
  /** Absent where the kernel keeps no swap accounting: memory alone is bounded then. */
  readonly swapLimit: { readonly file: string; value(bytes: number): number };
  readonly peak: string;
  readonly events: string;
}

const LAYOUT: Record<'v1' | 'v2', Layout> = {
  v1: {
    parent: V1,
    controllers: path.join(V1, 'memory.limit_in_bytes'),
    limit: 'memory.limit_in_bytes',
    // Memory and swap together, so that swap cannot stretch the limit.
    swapLimit: { file: 'memory.memsw.limit_in_bytes', value: (bytes) => bytes },
    peak: 'memory.max_usage_in_bytes',
    events: 'memory.oom_control',
  },
  v2: {
    parent: ROOT,
    controllers: path.join(ROOT, 'cgroup.subtree_control'),
    limit: 'memory.max',
    swapLimit: { file: 'memory.swap.max', value: () => 0 },
    // Since Linux 5.19.
    peak: 'memory.peak',
    events: 'memory.events',
  },
};

function versionHere(): 'v1' | 'v2' | NoCgroup {
  if (process.platform !== 'linux') {
    return { unavailable: `cgroups are Linux's; this is ${process.platform}` };
  }
  if (process.getuid?.() !== 0) return { unavailable: 'making a cgroup takes root' };
  const v2 = LAYOUT.v2.controllers;
  if (existsSync(v2) && readFileSync(v2, 'utf8').split(/\s+/).includes('memory')) return 'v2';
  if (existsSync(LAYOUT.v1.controllers)) return 'v1';
  return { unavailable: `no memory controller for new cgroups under ${ROOT}` };
}

/**
 * A new memory cgroup of `limitBytes`, or why there can be none: not Linux, not root, no memory
 * controller where the kernel puts it, or one that bounds or counts less than the bench needs.
 */
export function createMemoryCgroup(limitBytes: number): MemoryCgroup | NoCgroup {
  const version = versionHere();
  if (typeof version !== 'string') return version;
  const layout = LAYOUT[version];
  const dir = path.join(layout.parent, `yc-canceller-bench-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir);
    const missing = [layout.limit, layout.peak, layout.events].filter(
      (file) => !existsSync(path.join(dir, file)),
    );
    if (missing.length > 0) throw new Error(`it has no ${missing.join(', ')}`);
    writeFileSync(path.join(dir, layout.limit), String(limitBytes));
    const swap = path.join(dir, layout.swapLimit.file);
    if (existsSync(swap)) writeFileSync(swap, String(layout.swapLimit.value(limitBytes)));
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
      removeCgroup(dir);
      rmSync(scripts, { recursive: true, force: true });
    },
  };
}

/**
 * The kernel refuses to remove a cgroup that still holds a process, as it does while a run that
 * failed midway is still being torn down: those are killed, and the removal is tried again for
 * up to two seconds while they exit.
 */
function removeCgroup(dir: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 100) throw error;
    }
    for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
      if (pid.trim() !== '') killQuietly(Number(pid));
    }
    Atomics.wait(pause, 0, 0, 20);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // It exited between the read and the kill.
  }
}
