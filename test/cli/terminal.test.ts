import { PassThrough } from 'node:stream';
import { readlineTerminal } from '../../cli/terminal';

describe('the terminal apply asks on', () => {
  it('writes the question to its output and resolves with the line typed', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const answer = readlineTerminal(input, output).ask('Apply? ');
    input.write('yes\n');
    await expect(answer).resolves.toBe('yes');
    expect(shown).toContain('Apply? ');
  });

  it('resolves with nothing when the input ends before an answer (Ctrl-D)', async () => {
    const input = new PassThrough();
    const answer = readlineTerminal(input, new PassThrough()).ask('Apply? ');
    input.end();
    await expect(answer).resolves.toBe('');
  });
});
