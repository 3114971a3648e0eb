import { type RunningLocal, startLocal } from '../../local/serve';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import type { Io } from '../terminal';

/**
 * `local`: the simulated AWS endpoint with the demo organization, until interrupted. Prints the
 * lines that point a shell at it on stdout (`source`-able), the rest on stderr.
 */
export async function localCommand(
  options: {
    accountCount: number;
    port: number;
    administratorReadsEffectivePolicies?: boolean;
    notAdministratorIn?: readonly string[];
  },
  io: Io,
): Promise<number> {
  if (io.interrupted === undefined)
    throw new Error('local runs until interrupted, and this caller cannot interrupt it');
  let running: RunningLocal;
  try {
    running = await startLocal(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || (error as NodeJS.ErrnoException).code === 'EACCES') {
      throw new UsageError(
        `--port ${options.port}: ${(error as Error).message}; give another port, or --port 0 for any free one`,
      );
    }
    throw error;
  }
  io.stdout(running.script);
  io.stderr(
    `Listening on ${running.endpoint.url}. In another shell, run the export lines above (or save them and \`source\` the file); Ctrl-C stops the endpoint.\n`,
  );
  const signal = await io.interrupted();
  await running.close();
  io.stderr(`${signal}: the endpoint is closed.\n`);
  return EXIT.DONE;
}
