import { main } from '../../cli/main';
import type { Io, ProgressStream, Terminal } from '../../cli/terminal';

/** A person at a terminal, scripted: each question gets the next answer (or what `answer` returns). */
export class FakeTerminal implements Terminal {
  readonly questions: string[] = [];

  constructor(private readonly answer: (question: string) => string | Promise<string>) {}

  async ask(question: string): Promise<string> {
    this.questions.push(question);
    return this.answer(question);
  }
}

/** Runs the command in this process, as `deep-inspection …` would, capturing what it prints. */
export async function runCli(
  argv: readonly string[],
  io: {
    env?: NodeJS.ProcessEnv;
    terminal?: Terminal;
    progressStream?: ProgressStream;
    interrupted?: Io['interrupted'];
  } = {},
) {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: io.env ?? process.env,
    ...(io.terminal ? { terminal: io.terminal } : {}),
    ...(io.progressStream ? { progressStream: io.progressStream } : {}),
    ...(io.interrupted ? { interrupted: io.interrupted } : {}),
  });
  return { status, stdout, stderr };
}
