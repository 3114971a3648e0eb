import { createInterface } from 'node:readline';

/** A stream progress bars can be drawn on: a terminal's (cli-progress reads `isTTY` and `columns`). */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

/** Someone at a terminal who can be asked a question: stdin and stderr are both terminals. */
export interface Terminal {
  /** Writes `question` and resolves with the line typed; '' when the input ends (Ctrl-D) or is interrupted (Ctrl-C). */
  ask(question: string): Promise<string>;
}

/** What the command line talks to; tests pass their own (a fake terminal, captured output, their env). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The command's own settings (npm's flags, request rates, the home region); the AWS SDK reads process.env itself. */
  readonly env: NodeJS.ProcessEnv;
  /** Present only when a person can answer (stdin and stderr are terminals): apply asks there. */
  readonly terminal?: Terminal;
  /** Present only when stderr is a terminal: progress is drawn there. */
  readonly progressStream?: ProgressStream;
  /** Resolves with the signal's name when the process is asked to stop: `local` runs until then. */
  readonly interrupted?: () => Promise<string>;
}

/** The process's own streams, terminal and signals. */
export function processIo(): Io {
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    ...(interactive ? { terminal: readlineTerminal(process.stdin, process.stderr) } : {}),
    ...(process.stderr.isTTY ? { progressStream: process.stderr } : {}),
    interrupted: () =>
      new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(signal);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
  };
}

/** Asks on stderr, so that stdout stays the command's output (`apply --output json > result.json`). */
export function readlineTerminal(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Terminal {
  return {
    ask: (question) =>
      new Promise((resolve) => {
        const lines = createInterface({ input, output, terminal: true });
        let answered = false;
        lines.question(question, (answer) => {
          answered = true;
          lines.close();
          resolve(answer);
        });
        // Ctrl-C at the question is a "no", not a crash halfway through a command.
        lines.on('SIGINT', () => lines.close());
        lines.on('close', () => {
          if (!answered) {
            output.write('\n');
            resolve('');
          }
        });
      }),
  };
}
