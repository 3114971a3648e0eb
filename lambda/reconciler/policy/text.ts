import { findNodeAtLocation, type Node, type ParseError, parse, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Problem } from '../errors/errors';
import { jsonPath } from '../validation';

/**
 * Where things are in the policy's text, for messages that say line and column. jsonc-parser (the
 * parser behind VS Code's JSON support) reports offsets; JSON.parse stays the judge of what is valid
 * JSON, so positions never change what is accepted.
 */

/** Strict JSON: no comments, no trailing commas, as JSON.parse. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** A JSON syntax error with its line, column, and the line itself with a caret under the spot. */
export function syntaxProblem(text: string, cause: Error): Problem {
  const errors: ParseError[] = [];
  parse(text, errors, STRICT);
  const first = errors[0];
  if (first === undefined) return { path: '$', message: `not valid JSON: ${cause.message}` };
  const { line, column } = position(text, first.offset);
  return {
    path: '$',
    line,
    column,
    message: `not valid JSON: ${describeSyntaxError(printParseErrorCode(first.error))}${invisibleAt(text, first.offset)}\n${excerpt(text, line, column)}`,
  };
}

/** Names of the invisible characters an editor or a paste leaves most often. */
const INVISIBLE_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x7f: 'DEL',
  0xa0: 'NO-BREAK SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x2060: 'WORD JOINER',
  0xfeff: 'BYTE ORDER MARK',
};

/**
 * The character at `offset` named, when a caret under it would point at nothing visible (a NUL, a control
 * character, a zero-width space or a byte order mark in the middle): ", U+0000 (NUL), an invisible character: remove it".
 */
function invisibleAt(text: string, offset: number): string {
  const code = text.codePointAt(offset);
  if (code === undefined) return '';
  const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
  if (!control && INVISIBLE_NAMES[code] === undefined) return '';
  const name = INVISIBLE_NAMES[code] ?? 'a control character';
  return `: U+${code.toString(16).toUpperCase().padStart(4, '0')} (${name}), an invisible character: remove it`;
}

/** Adds the line and column of each problem's JSON path, where the text has it. */
export function locateProblems(text: string, problems: readonly Problem[]): Problem[] {
  const tree = parseTree(text, [], STRICT);
  if (tree === undefined) return [...problems];
  return problems.map((problem) => {
    if (problem.line !== undefined) return problem;
    const node = nodeFor(tree, problem);
    return node === undefined ? problem : { ...problem, ...position(text, node.offset) };
  });
}

/** The value at the path; for an unknown key, the key itself; for a missing one, the object that lacks it. */
function nodeFor(tree: Node, problem: Problem): Node | undefined {
  const segments = segmentsOf(problem.path);
  if (segments === undefined) return undefined;
  for (let length = segments.length; length >= 0; length--) {
    const node = findNodeAtLocation(tree, segments.slice(0, length));
    if (node === undefined) continue;
    const property = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return length === segments.length && problem.message.startsWith('unknown key') && property ? property : node;
  }
  return undefined;
}

/** `$.rules[2].accounts[0]` → ['rules', 2, 'accounts', 0]; undefined when the path is not in that form. */
export function segmentsOf(path: string): (string | number)[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) return undefined;
    segments.push(match[2] === undefined ? (match[1] as string) : Number(match[2]));
  }
  return segments;
}

/** 1-based line and column of an offset (columns count UTF-16 code units, as editors do). */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function excerpt(text: string, line: number, column: number): string {
  const content = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '');
  const gutter = String(line);
  return `      ${gutter} | ${content}\n      ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, column - 1))}^`;
}

/** jsonc-parser's codes in words: `CommaExpected` → "expected a comma". */
function describeSyntaxError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'not a valid number',
    PropertyNameExpected: 'expected a property name in double quotes (a trailing comma?)',
    ValueExpected: 'expected a value (a trailing comma?)',
    ColonExpected: 'expected a colon',
    CommaExpected: 'expected a comma',
    CloseBraceExpected: 'expected a closing brace }',
    CloseBracketExpected: 'expected a closing bracket ]',
    EndOfFileExpected: 'unexpected text after the end of the document',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'comments are not allowed in JSON',
    UnexpectedEndOfString: 'a string is not closed',
    UnexpectedEndOfNumber: 'a number is cut short',
    InvalidUnicode: 'an invalid \\u escape',
    InvalidEscapeCharacter: 'an invalid escape in a string',
    InvalidCharacter: 'a control character in a string (escape it)',
  };
  return words[code] ?? code;
}

/**
 * Keys given twice in one object: JSON.parse keeps the last silently, so `"default"` written twice
 * would decide by whichever came last. Each repeat is a problem, with where the first one is.
 */
export function duplicateKeys(text: string): Problem[] {
  const tree = parseTree(text, [], STRICT);
  if (tree === undefined) return [];
  const problems: Problem[] = [];
  const visit = (node: Node, path: (string | number)[]) => {
    if (node.type === 'object') {
      const seen = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (keyNode === undefined) continue;
        const key = String(keyNode.value);
        const first = seen.get(key);
        if (first !== undefined) {
          const at = position(text, first.offset);
          problems.push({
            path: jsonPath([...path, key]),
            ...position(text, keyNode.offset),
            message: `"${key}" is given twice in this object (first at line ${at.line}, column ${at.column}); JSON keeps only the last: remove one`,
          });
        } else seen.set(key, keyNode);
        if (valueNode !== undefined) visit(valueNode, [...path, key]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, index) => visit(child, [...path, index]));
    }
  };
  visit(tree, []);
  return problems;
}
