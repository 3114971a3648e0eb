import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FUNCTION_CACHE_VARIABLE } from '../../local/function-cache';

/**
 * What the tests write to a temporary directory (synthesized stacks, policy files, saved plans, each bundled
 * invocation's result) lands in the test run's own directory, which test/global-teardown.ts removes: a run
 * leaves nothing behind in the machine's /tmp (one run left about 600 directories there).
 */
describe("the test run's temporary files", () => {
  it("are created inside the run's own directory, the one its teardown removes", () => {
    const run = process.env[FUNCTION_CACHE_VARIABLE];
    expect(run).toBeDefined();
    const created = mkdtempSync(path.join(tmpdir(), 'probe-'));
    expect(path.relative(run as string, created).startsWith('..')).toBe(false);
  });
});
