import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The environment variable naming the directory where one test run keeps what it built once for all its
 * suites and workers (test/global-setup.ts makes the directory, test/global-teardown.ts removes it).
 */
export const FUNCTION_CACHE_VARIABLE = 'DEEP_INSPECTION_FUNCTION_CACHE';
/** How long a process waits for another to build what it needs. */
const BUILD_WAIT_MS = 10 * 60_000;
const POLL_MS = 200;

/**
 * What `build` returns for `key`, built once in `cacheDirectory` by whichever process asks first and read
 * back as JSON by the others. The builder holds a lock, a directory only one process can create; the others
 * wait for its result, or take the lock over if the builder failed and released it.
 * @param build gets a fresh directory of its own inside `cacheDirectory` for what it writes
 */
export function buildOnce<T>(cacheDirectory: string, key: unknown, build: (directory: string) => T): T {
  const name = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  const built = path.join(cacheDirectory, `${name}.json`);
  const lock = path.join(cacheDirectory, `${name}.lock`);
  const waitUntil = Date.now() + BUILD_WAIT_MS;
  while (!existsSync(built)) {
    if (tryLock(lock)) {
      try {
        if (existsSync(built)) break;
        const directory = path.join(cacheDirectory, name);
        mkdirSync(directory, { recursive: true });
        const result = build(directory);
        writeFileSync(`${built}.partial`, JSON.stringify(result));
        renameSync(`${built}.partial`, built);
        return result;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > waitUntil) {
      throw new Error(`waited ${BUILD_WAIT_MS / 1000} s for another process to build ${built}: remove ${lock}`);
    }
    // A synchronous wait: the callers (a suite's beforeAll, a benchmark) build synchronously.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  return JSON.parse(readFileSync(built, 'utf8')) as T;
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
