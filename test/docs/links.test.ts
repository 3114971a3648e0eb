import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './doc-commands';

/**
 * Every relative link in the documentation leads somewhere: the file exists, and an anchor names a
 * heading of that page as GitHub makes its id (lower case; letters, digits, spaces, `-` and `_` kept,
 * the rest dropped; spaces become `-`; a repeated heading gets `-1`, `-2`, …).
 */

const PAGES = [
  'README.md',
  'RELIABILITY.md',
  'BENCHMARKS.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text outside fenced blocks and inline code, where a link is a link. */
function prose(markdown: string): { line: number; text: string }[] {
  let inFence = false;
  return markdown.split('\n').flatMap((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return [];
    }
    return inFence ? [] : [{ line: index + 1, text: line.replace(/`[^`]*`/g, '') }];
  });
}

function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6} (.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** The broken relative links of one page: its name, its text. */
function brokenLinks(page: string, markdown: string, read = (file: string) => readFileSync(file, 'utf8')): string[] {
  const broken: string[] = [];
  for (const { line, text } of prose(markdown)) {
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] as string;
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      const [file = '', anchor] = target.split('#', 2);
      const resolved = file === '' ? path.join(ROOT, page) : path.join(ROOT, path.dirname(page), file);
      if (!existsSync(resolved)) {
        broken.push(`${page}:${line}: ${target}: no such file`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith('.md')) {
        broken.push(`${page}:${line}: ${target}: an anchor into a file that is not Markdown`);
      } else if (!headingIds(read(resolved)).has(anchor)) {
        broken.push(`${page}:${line}: ${target}: ${path.relative(ROOT, resolved)} has no heading #${anchor}`);
      }
    }
  }
  return broken;
}

describe('the documentation’s links', () => {
  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    expect(brokenLinks(page, readFileSync(path.join(ROOT, page), 'utf8'))).toEqual([]);
  });

  it('makes heading ids as GitHub does', () => {
    const ids = headingIds(
      '# The `deep-inspection` command\n## Alarms: what they mean and what to do\n## Notes\n## Notes\n```\n# not a heading\n```\n',
    );
    expect([...ids]).toEqual([
      'the-deep-inspection-command',
      'alarms-what-they-mean-and-what-to-do',
      'notes',
      'notes-1',
    ]);
  });

  it('finds a link to a page that does not exist, and an anchor no heading has', () => {
    const page =
      '[gone](docs/nowhere.md) [moved](docs/policy.md#the-policy-is-elsewhere) [fine](docs/policy.md#version-2)';
    expect(brokenLinks('README.md', page)).toEqual([
      'README.md:1: docs/nowhere.md: no such file',
      'README.md:1: docs/policy.md#the-policy-is-elsewhere: docs/policy.md has no heading #the-policy-is-elsewhere',
    ]);
  });
});
