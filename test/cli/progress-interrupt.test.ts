import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The bars turn the terminal's line wrapping off (ESC[?7l) while they draw; a Ctrl-C must turn it back
 * on (ESC[?7h) before the process ends, or the person's terminal stays broken. Run in a child process,
 * since the interrupt ends it.
 */
describe('progress on a terminal, interrupted', () => {
  it('gives the terminal its line wrapping back and still ends as an interrupt', () => {
    const script = `
      const { Writable } = require('node:stream');
      const { commandProgress } = require('./cli/progress');
      const stream = Object.assign(new Writable({ write(chunk, _encoding, done) { process.stdout.write(chunk, done); } }), { isTTY: true, columns: 80 });
      const progress = commandProgress(stream, false);
      progress.step('reading');
      setTimeout(() => process.kill(process.pid, 'SIGINT'), 300);
      setTimeout(() => {}, 5000);
    `;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(child.stdout).toContain('\u001b[?7l');
    expect(child.stdout.lastIndexOf('\u001b[?7h')).toBeGreaterThan(child.stdout.lastIndexOf('\u001b[?7l'));
    expect(child.signal).toBe('SIGINT');
  });
});
