import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { removeAbandonedTestRuns, TEST_RUN_PREFIX } from '../support/test-run-directory';

/**
 * A test run interrupted with Ctrl-C gets no global teardown from Jest, so its directory (bundles, temporary
 * files: about 3 MB) stays in /tmp; the next run removes it, and never the directory of a run still going.
 */
describe('the directories of test runs that ended without their teardown', () => {
  const parent = () => mkdtempSync(path.join(tmpdir(), 'runs-'));
  const run = (where: string, owner?: number) => {
    const directory = mkdtempSync(path.join(where, TEST_RUN_PREFIX));
    mkdirSync(path.join(directory, 'tmp'));
    if (owner !== undefined) writeFileSync(path.join(directory, 'pid'), String(owner));
    return directory;
  };
  // A process that has exited: its id names no running process.
  const exited = () => spawnSync(process.execPath, ['-e', '']).pid as number;

  it('are removed when the process that made them is gone', () => {
    const where = parent();
    const abandoned = run(where, exited());
    removeAbandonedTestRuns(where);
    expect(existsSync(abandoned)).toBe(false);
  });

  it('are kept while the process that made them runs, or when they name no process yet', () => {
    const where = parent();
    const running = run(where, process.pid);
    const starting = run(where);
    removeAbandonedTestRuns(where);
    expect([existsSync(running), existsSync(starting)]).toEqual([true, true]);
  });

  it('are the only directories removed', () => {
    const where = parent();
    const other = mkdtempSync(path.join(where, 'other-'));
    writeFileSync(path.join(other, 'pid'), String(exited()));
    removeAbandonedTestRuns(where);
    expect(existsSync(other)).toBe(true);
  });
});
