import fc from 'fast-check';
import { PolicyError } from '../../lambda/reconciler/errors/errors';
import { PARAMETER_TIER_MAX_BYTES, policyText } from '../../lambda/reconciler/policy/read';
import { parsePolicy } from '../../lambda/reconciler/policy/schema';

const POLICY = '{"version": 1,\n"default": "ACTIVATED"}';
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return error.message;
    throw error;
  }
  throw new Error('no PolicyError');
}

describe('policyText: the one reader of policy text', () => {
  it('refuses bytes that are not UTF-8, naming the byte offset, its value and the line', () => {
    const message = problemOf(() => policyText(bytes('{"version": 1,\n"default": "caf', [0xe9], '"}'), 'policy.json'));
    expect(message).toContain('Invalid policy (policy.json)');
    expect(message).toContain(
      'not UTF-8: byte 30 (0xe9) on line 2 is not part of a UTF-8 character: save the file as UTF-8',
    );
  });

  it('tells a genuine U+FFFD (EF BF BD) from a byte that is not UTF-8', () => {
    expect(policyText(bytes('{"a": "\uFFFD"}'), 'p')).toBe('{"a": "\uFFFD"}');
    expect(problemOf(() => policyText(bytes('{"a": "\uFFFD', [0xc3], '"}'), 'p'))).toContain(
      'byte 10 (0xc3) on line 1',
    );
  });

  it('reads one leading byte order mark as the same policy, as bytes and as a string (a pasted parameter)', () => {
    const plain = parsePolicy(POLICY, 'p');
    expect(parsePolicy(bytes([0xef, 0xbb, 0xbf], POLICY), 'p')).toEqual(plain);
    expect(parsePolicy(`\uFEFF${POLICY}`, 'p')).toEqual(plain);
    expect(policyText(bytes([0xef, 0xbb, 0xbf], POLICY), 'p')).toBe(POLICY);
  });

  it('refuses a second byte order mark, named, as bytes and as a string, so that reading the text again reads the same', () => {
    for (const input of [bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], POLICY), `\uFEFF\uFEFF${POLICY}`]) {
      expect(problemOf(() => parsePolicy(input, 'p'))).toContain('two byte order marks (U+FEFF)');
      expect(problemOf(() => policyText(input, 'p'))).toContain('remove the second');
    }
  });

  it.each([
    ['Standard', 4096],
    ['Advanced', 8192],
  ] as const)('holds the text to the %s tier, %d UTF-8 bytes, and names the tier', (tier, max) => {
    expect(PARAMETER_TIER_MAX_BYTES[tier]).toBe(max);
    const fits = `{"x": "${'a'.repeat(max - 9)}"}`;
    expect(Buffer.byteLength(fits)).toBe(max);
    expect(policyText(fits, 'p', { tier })).toBe(fits);
    // One character more, two bytes in UTF-8 (é): over, though still `max` characters long.
    const over = `{"x": "${'a'.repeat(max - 10)}é"}`;
    expect(over.length).toBe(max);
    expect(problemOf(() => policyText(over, 'p', { tier }))).toContain(
      `the policy is ${(max + 1).toLocaleString('en-US')} bytes; an SSM parameter in the ${tier} tier holds at most ${max.toLocaleString('en-US')} bytes`,
    );
  });

  it('counts the text without its byte order mark', () => {
    const fits = `{"x": "${'a'.repeat(4096 - 9)}"}`;
    expect(policyText(`\uFEFF${fits}`, 'p', { tier: 'Standard' })).toBe(fits);
  });

  it('refuses 5 MB before parsing it, and says to shorten it', () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    expect(problemOf(() => parsePolicy(huge, 'p', { tier: 'Standard' }))).toContain(
      'the policy is 5,242,880 bytes; an SSM parameter in the Standard tier holds at most 4,096 bytes: shorten it',
    );
  });

  it('decodes any UTF-8 text as Node does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(policyText(Buffer.from(text, 'utf8'), 'p')).toBe(text.startsWith('\uFEFF') ? text.slice(1) : text);
      }),
    );
  });
});
