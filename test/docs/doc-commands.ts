/**
 * The commands the documentation shows, taken out of its Markdown: fenced code blocks (and, for `aws` and
 * `cdk`, inline code spans), split into shell commands by a small tokenizer. The docs' commands are plain
 * one-liners (quotes, `\` continuations, `$VAR`, `$(…)`, `&&`, `|`, `>`, trailing `#` comments), so a
 * few dozen lines do what a shell parser would; there is none among the dependencies, and these tests may
 * install nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** A piece of a shell word: literal text, `$NAME` / `${NAME}`, or `$(…)` (its commands). */
export type Part =
  { readonly literal: string } | { readonly variable: string } | { readonly substitution: readonly ShellCommand[] };

export interface Word {
  readonly parts: readonly Part[];
}

/** One simple command: its words, the `NAME=value` assignments before them, and its trailing comment. */
export interface ShellCommand {
  readonly words: readonly Word[];
  readonly assignments: readonly { readonly name: string; readonly value: Word }[];
  /** The `# …` comment on its line, if any (`# exit 2` says the command is meant to exit 2). */
  readonly comment?: string;
}

/** A command as the documentation shows it: where, the source line, and the parsed command. */
export interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly source: string;
  readonly command: ShellCommand;
  readonly inline: boolean;
}

/** The literal text of a word, with `$VAR` given by `variable` and `$(…)` by `substitution`. */
export function wordText(
  word: Word,
  variable: (name: string) => string = (name) => `$${name}`,
  substitution: () => string = () => '$(…)',
): string {
  return word.parts
    .map((part) => ('literal' in part ? part.literal : 'variable' in part ? variable(part.variable) : substitution()))
    .join('');
}

/** Every command, those inside `$(…)` and in assignments' values included, depth first. */
export function withNested(commands: readonly ShellCommand[]): ShellCommand[] {
  const all: ShellCommand[] = [];
  const visitWord = (word: Word) => {
    for (const part of word.parts) if ('substitution' in part) all.push(...withNested(part.substitution));
  };
  for (const command of commands) {
    all.push(command);
    for (const { value } of command.assignments) visitWord(value);
    for (const word of command.words) visitWord(word);
  }
  return all;
}

class Tokenizer {
  private position = 0;

  constructor(private readonly text: string) {}

  /** Commands until the end, or until `)` closes the `$(` that started this tokenizer's caller. */
  commands(closing = false): ShellCommand[] {
    const commands: ShellCommand[] = [];
    let words: Word[] = [];
    let comment: string | undefined;
    const finish = () => {
      if (words.length > 0 || comment !== undefined) {
        const assignments: { name: string; value: Word }[] = [];
        while (words.length > 0) {
          const first = words[0] as Word;
          const head = first.parts[0];
          const match = head && 'literal' in head ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(head.literal) : null;
          if (!match) break;
          const rest = (head as { literal: string }).literal.slice(match[0].length);
          assignments.push({
            name: match[1] as string,
            value: { parts: [...(rest ? [{ literal: rest }] : []), ...first.parts.slice(1)] },
          });
          words = words.slice(1);
        }
        // A comment on a line of its own belongs to nothing; one after a command belongs to it.
        if (words.length > 0 || assignments.length > 0) {
          commands.push({ words, assignments, ...(comment !== undefined ? { comment } : {}) });
        }
      }
      words = [];
      comment = undefined;
    };
    while (this.position < this.text.length) {
      const char = this.text[this.position] as string;
      if (char === ')' && closing) {
        this.position++;
        finish();
        return commands;
      }
      if (char === '\\' && this.text[this.position + 1] === '\n') {
        this.position += 2;
      } else if (char === '\n' || char === ';') {
        this.position++;
        finish();
      } else if (char === ' ' || char === '\t') {
        this.position++;
      } else if (char === '#') {
        const end = this.text.indexOf('\n', this.position);
        const text = this.text.slice(this.position + 1, end === -1 ? undefined : end).trim();
        // The comment goes with the command on its line (a comment line of its own, with none).
        if (words.length > 0) comment = text;
        this.position = end === -1 ? this.text.length : end;
      } else if (this.text.startsWith('&&', this.position) || this.text.startsWith('||', this.position)) {
        this.position += 2;
        finish();
      } else if (char === '|' || char === '&') {
        this.position++;
        finish();
      } else if (
        !this.placeholder() &&
        (char === '>' || char === '<' || (/[0-9]/.test(char) && this.text[this.position + 1] === '>'))
      ) {
        // A redirection: skip it and its target; it changes where output goes, not the command.
        while (/[0-9<>&]/.test(this.text[this.position] ?? '')) this.position++;
        while (this.text[this.position] === ' ') this.position++;
        this.word();
      } else {
        words.push(this.word());
      }
    }
    if (closing) throw new Error(`unclosed $( in: ${this.text}`);
    finish();
    return commands;
  }

  private word(): Word {
    const parts: Part[] = [];
    let literal = '';
    const flush = () => {
      if (literal) parts.push({ literal });
      literal = '';
    };
    while (this.position < this.text.length) {
      const char = this.text[this.position] as string;
      const placeholder = this.placeholder();
      if (placeholder) {
        literal += placeholder;
        this.position += placeholder.length;
        continue;
      }
      if (/[\s;|&<>)]/.test(char)) break;
      if (char === "'") {
        const end = this.text.indexOf("'", this.position + 1);
        if (end === -1) throw new Error(`unclosed ' in: ${this.text}`);
        literal += this.text.slice(this.position + 1, end);
        this.position = end + 1;
      } else if (char === '"') {
        this.position++;
        while (this.text[this.position] !== '"') {
          if (this.position >= this.text.length) throw new Error(`unclosed " in: ${this.text}`);
          if (this.text[this.position] === '$') {
            flush();
            parts.push(this.dollar());
          } else if (this.text[this.position] === '\\' && /["\\$`]/.test(this.text[this.position + 1] ?? '')) {
            literal += this.text[this.position + 1];
            this.position += 2;
          } else {
            literal += this.text[this.position];
            this.position++;
          }
        }
        this.position++;
      } else if (char === '$') {
        flush();
        parts.push(this.dollar());
      } else if (char === '\\') {
        literal += this.text[this.position + 1] ?? '';
        this.position += 2;
      } else {
        literal += char;
        this.position++;
      }
    }
    flush();
    return { parts };
  }

  /** `<account-id>`, `<name>`: the docs' placeholders, a word to fill in, not a redirection. */
  private placeholder(): string | undefined {
    return /^<[A-Za-z][\w-]*>/.exec(this.text.slice(this.position))?.[0];
  }

  private dollar(): Part {
    this.position++; // $
    if (this.text[this.position] === '(') {
      this.position++;
      return { substitution: this.commands(true) };
    }
    const braced = this.text[this.position] === '{';
    if (braced) this.position++;
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.position));
    if (!match) return { literal: '$' };
    this.position += match[0].length;
    if (braced) this.position++;
    return { variable: match[0] };
  }
}

/** The simple commands of a piece of shell. Throws on unbalanced quotes or `$(`. */
export function parseShell(text: string): ShellCommand[] {
  return new Tokenizer(text).commands();
}

/** Fenced code blocks, with the line each starts on (1-based, the line after the fence). */
export function codeBlocks(markdown: string): { language: string; line: number; text: string }[] {
  const blocks: { language: string; line: number; text: string }[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[index] as string);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const fence = open[2] as string;
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[end] as string)) {
      body.push((lines[end] as string).slice(Math.min(indent, /^\s*/.exec(lines[end] as string)?.[0].length ?? 0)));
      end++;
    }
    blocks.push({ language: open[3] ?? '', line: index + 2, text: body.join('\n') });
    index = end;
  }
  return blocks;
}

/** Inline code spans outside fenced blocks, with their line. */
export function inlineCode(markdown: string): { line: number; text: string }[] {
  const spans: { line: number; text: string }[] = [];
  let inFence = false;
  markdown.split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) return;
    for (const match of line.matchAll(/(?<!`)`([^`]+)`(?!`)/g))
      spans.push({ line: index + 1, text: match[1] as string });
  });
  return spans;
}

/** The documentation: the README and every page under docs/. */
export function documentationFiles(): string[] {
  return [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
}

/** Every command in the fenced shell blocks of `markdown`, and the inline spans that start with a command. */
export function commandsIn(file: string, markdown: string): DocCommand[] {
  const found: DocCommand[] = [];
  for (const block of codeBlocks(markdown)) {
    if (!['bash', 'sh', 'shell', 'console', ''].includes(block.language)) continue;
    // A block with no language is often output or a listing: only its lines that start with a command count.
    const shell = block.language !== '';
    // A continuation joins lines: report each command at the line it starts on.
    let start = 0;
    const lines = block.text.split('\n');
    while (start < lines.length) {
      let end = start;
      while (end < lines.length - 1 && /\\$/.test(lines[end] as string)) end++;
      const source = lines.slice(start, end + 1).join('\n');
      const text = source.replace(/^\$ /, '');
      if (!shell && !/^(aws|npx|npm|cdk|deep-inspection) /.test(text)) {
        start = end + 1;
        continue;
      }
      for (const command of parseShell(text)) {
        found.push({ file, line: block.line + start, source, command, inline: false });
      }
      start = end + 1;
    }
  }
  for (const span of inlineCode(markdown)) {
    // A span that names a command in passing (`aws …`, `cdk <command> --help`) holds no command to check.
    if (!/^(aws|npx cdk|cdk) /.test(span.text) || /^(aws|npx cdk|cdk) (…|<)/.test(span.text)) continue;
    for (const command of parseShell(span.text)) {
      found.push({ file, line: span.line, source: span.text, command, inline: true });
    }
  }
  return found;
}

/** Every command of the documentation files. */
export function documentedCommands(files = documentationFiles()): DocCommand[] {
  return files.flatMap((file) => commandsIn(file, readFileSync(path.join(ROOT, file), 'utf8')));
}

/** What a command is, by its first words. */
export type Classified =
  | { readonly kind: 'deep-inspection'; readonly argv: readonly Word[]; readonly npmFlags: readonly string[] }
  | { readonly kind: 'aws'; readonly args: readonly Word[] }
  | { readonly kind: 'cdk'; readonly args: readonly Word[] }
  | { readonly kind: 'npm-script'; readonly script: string }
  | { readonly kind: 'other' };

export function classify(command: ShellCommand): Classified {
  const words = command.words;
  const text = words.map((word) => wordText(word));
  if (text[0] === 'npx' && text[1] === 'deep-inspection')
    return { kind: 'deep-inspection', argv: words.slice(2), npmFlags: [] };
  if (text[0] === 'deep-inspection') return { kind: 'deep-inspection', argv: words.slice(1), npmFlags: [] };
  if (text[0] === 'npm' && text[1] === 'run' && text[2] === 'reconcile') {
    // npm keeps the flags before `--` for itself (setting npm_config_<flag>) and passes on the rest.
    const rest = words.slice(3);
    const separator = rest.findIndex((word) => wordText(word) === '--');
    const before = separator === -1 ? rest : rest.slice(0, separator);
    const after = separator === -1 ? [] : rest.slice(separator + 1);
    return {
      kind: 'deep-inspection',
      argv: [...before.filter((word) => !wordText(word).startsWith('-')), ...after],
      npmFlags: before.map((word) => wordText(word)).filter((word) => word.startsWith('-')),
    };
  }
  if (text[0] === 'aws') return { kind: 'aws', args: words.slice(1) };
  if (text[0] === 'npx' && text[1] === 'cdk') return { kind: 'cdk', args: words.slice(2) };
  if (text[0] === 'cdk') return { kind: 'cdk', args: words.slice(1) };
  if (text[0] === 'npm' && text[1] === 'run' && text[2] === 'cdk') {
    const rest = words.slice(3);
    return { kind: 'cdk', args: wordText(rest[0] ?? { parts: [] }) === '--' ? rest.slice(1) : rest };
  }
  if (text[0] === 'npm' && text[1] === 'run' && text[2] !== undefined) return { kind: 'npm-script', script: text[2] };
  return { kind: 'other' };
}

/** `# exit N` in a command's comment: the status the documentation says it ends with. */
export function documentedExit(command: ShellCommand): number | undefined {
  const match = /\bexit (\d+)\b/.exec(command.comment ?? '');
  return match ? Number(match[1]) : undefined;
}
