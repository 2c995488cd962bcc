/**
 * Reads a running process from outside, through Linux's /proc, as `top` and `ps` do: CPU time
 * (utime + stime of all its threads, so GC and libuv's pool count too), resident memory now and at
 * its peak, and the TCP ports it listens on. The benchmarks measure kubedrs processes this way so
 * the figures include everything the process costs, not only what it would report of itself.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, readlink } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Clock ticks per second of /proc/<pid>/stat's CPU times (`getconf CLK_TCK`; 100 on Linux). */
export async function clockTicksPerSecond(): Promise<number> {
  const { stdout } = await execFileAsync("getconf", ["CLK_TCK"]).catch(() => ({ stdout: "100" }));
  const ticks = Number(stdout.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/** User + system CPU ticks the process has used so far. */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`/proc/${pid}/stat: no utime/stime`);
  return utime + stime;
}

export interface Memory {
  /** Resident set size now (VmRSS). */
  readonly rssMiB: number;
  /** The largest resident set size so far (VmHWM, the high-water mark). */
  readonly peakRssMiB: number;
}

export async function memoryOf(pid: number): Promise<Memory> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const mib = (field: string): number => {
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    if (kib === undefined) throw new Error(`/proc/${pid}/status: no ${field}`);
    return Math.round((Number(kib) / 1024) * 10) / 10;
  };
  return { rssMiB: mib("VmRSS"), peakRssMiB: mib("VmHWM") };
}

/** The inodes of the process's open sockets, from its fd links (`socket:[12345]`). */
async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

const LISTEN = "0A";

/** Ports the process listens on over TCP (IPv4 or IPv6), in ascending order. */
export async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = await socketInodes(pid);
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state !== LISTEN || inode === undefined || !inodes.has(inode) || local === undefined) continue;
      ports.add(Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
