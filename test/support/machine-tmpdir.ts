import { tmpdir } from 'node:os';

/**
 * The environment variable naming the machine's temporary directory, which test/global-setup.ts keeps before it
 * points TMPDIR at the run's own directory (removed at the end of the run).
 */
export const MACHINE_TMPDIR_VARIABLE = 'DEEP_INSPECTION_MACHINE_TMPDIR';

/** The machine's temporary directory: for what a later test run may read again. */
export function machineTmpdir(): string {
  return process.env[MACHINE_TMPDIR_VARIABLE] ?? tmpdir();
}
