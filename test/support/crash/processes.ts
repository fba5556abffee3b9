// Waiting for processes that are not our children (the host's language worker) to be gone. Node gives no
// 'exit' event for a grandchild, so its existence is checked (kill 0) until it is gone or a bound passes.
// A zombie counts as gone: after kill -9 of the host, the orphaned worker is re-parented, and a container's
// PID 1 may never reap it.
import * as fs from 'node:fs';

const CHECK_EVERY_MS = 25;

/** True while `pid` names a live (non-zombie) process. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: the pid was recycled by another user's process, so ours is gone too.
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) STATE …: comm may contain spaces and parentheses, so read the state after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (not Linux): kill 0 succeeded, so it is alive
  }
}

/** Resolves true once `pid` is gone, false if it is still there after `timeoutMs`. */
export function processGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = (): void => {
      if (!processAlive(pid)) resolve(true);
      else if (Date.now() >= deadline) resolve(false);
      else setTimeout(check, CHECK_EVERY_MS);
    };
    check();
  });
}

/** SIGKILL, ignoring a process that is already gone. */
export function killHard(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
