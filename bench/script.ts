/**
 * Runs a benchmark's `main` as the process's whole job: its status (0 when it returns none) is the
 * exit code; an error is printed with its stack and exits 1.
 */
export function runScript(main: () => Promise<number | void>): void {
  main().then(
    (status) => {
      process.exitCode = status ?? 0;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    },
  );
}
