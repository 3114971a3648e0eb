import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** How a test run's own directory is named in the machine's temporary directory (test/global-setup.ts). */
export const TEST_RUN_PREFIX = 'deep-inspection-test-run-';

/** Makes this test run's directory in `parent`, naming the process that owns it (the `pid` file). */
export function makeTestRunDirectory(parent: string): string {
  const directory = mkdtempSync(path.join(parent, TEST_RUN_PREFIX));
  writeFileSync(path.join(directory, 'pid'), String(process.pid));
  return directory;
}

/**
 * Removes the directories of earlier test runs whose process is gone: Jest runs no global teardown when a run is
 * interrupted (Ctrl-C), so such a run's directory stays behind. A directory naming no process yet (a run starting
 * at this moment) or a running one is kept.
 */
export function removeAbandonedTestRuns(parent: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(TEST_RUN_PREFIX)) continue;
    const directory = path.join(parent, name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(directory, 'pid'), 'utf8'));
    } catch {
      continue;
    }
    if (Number.isInteger(owner) && owner > 0 && !running(owner)) rmSync(directory, { recursive: true, force: true });
  }
}

/** Whether a process with this id exists (signal 0 tests for it and sends nothing). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
