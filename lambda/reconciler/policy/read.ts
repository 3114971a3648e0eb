import { PolicyError } from '../errors/errors';

/**
 * The one reader of policy text, for the command line, `cdk synth` and the function alike: the same
 * bytes are the same policy (or the same refusal) everywhere.
 *
 * - The text must be UTF-8 (RFC 8259 §8.1); bytes that are not are refused with their byte offset and
 *   line, never decoded to U+FFFD and applied.
 * - One leading byte order mark (Notepad, PowerShell 5.1 write one) is dropped: RFC 8259 §8.1 lets a
 *   parser ignore it, and a policy with one is the same policy as without. A second one is refused, named:
 *   the text that is stored is then the text that is read, whoever reads it again (synth reads it twice).
 * - The text (without the mark) must fit the SSM parameter tier it is stored in, counted in UTF-8 bytes.
 */

/**
 * The largest value each SSM parameter tier holds: Standard 4 KB, Advanced 8 KB (AWS Systems Manager User
 * Guide, "Managing parameter tiers"; PutParameter answers ValidationException "Standard tier parameters
 * support a maximum parameter value of 4096 characters"). Counted here in UTF-8 bytes, the stricter count.
 */
export const PARAMETER_TIER_MAX_BYTES = { Standard: 4096, Advanced: 8192 } as const;
export type ParameterTier = keyof typeof PARAMETER_TIER_MAX_BYTES;
export const PARAMETER_TIERS = Object.keys(PARAMETER_TIER_MAX_BYTES) as ParameterTier[];

const BYTE_ORDER_MARK = '\uFEFF';
const REPLACEMENT = '\uFFFD';

/**
 * The policy's text from its bytes (a file) or from a string (an SSM parameter's value): without a
 * leading byte order mark, checked to be UTF-8 and to fit `tier`.
 * @param tier the SSM parameter tier the text must fit; @default 'Advanced' (the largest any parameter holds)
 * @throws PolicyError naming `source`: bytes that are not UTF-8 (byte offset and line), or too many bytes for the tier
 */
export function policyText(
  input: string | Uint8Array,
  source: string,
  { tier = 'Advanced' }: { readonly tier?: ParameterTier } = {},
): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(input);
    const bad = firstInvalidByte(input, text);
    if (bad !== undefined) {
      throw new PolicyError(source, [
        {
          path: '$',
          message: `not UTF-8: byte ${bad.offset} (0x${bad.value.toString(16).padStart(2, '0')}) on line ${bad.line} is not part of a UTF-8 character: save the file as UTF-8`,
        },
      ]);
    }
  }
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(BYTE_ORDER_MARK.length);
  if (text.startsWith(BYTE_ORDER_MARK)) {
    throw new PolicyError(source, [
      {
        path: '$',
        line: 1,
        column: 1,
        message:
          'starts with two byte order marks (U+FEFF), invisible in most editors: the first is read as nothing, the second is not JSON: remove the second (save the file as UTF-8 without BOM)',
      },
    ]);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  const max = PARAMETER_TIER_MAX_BYTES[tier];
  if (bytes > max) {
    const advice =
      tier === 'Standard' && bytes <= PARAMETER_TIER_MAX_BYTES.Advanced
        ? `: shorten it, or store it in the Advanced tier (cdk.json "policyParameterTier": "Advanced"; on the command line --policy-parameter-tier Advanced)`
        : ': shorten it (fewer rules, OUs rather than long account lists)';
    throw new PolicyError(source, [
      {
        path: '$',
        message: `the policy is ${bytes.toLocaleString('en-US')} bytes; an SSM parameter in the ${tier} tier holds at most ${max.toLocaleString('en-US')} bytes${advice}`,
      },
    ]);
  }
  return text;
}

/**
 * The first byte that is not part of a UTF-8 character: where the lenient decoding put a U+FFFD that the
 * bytes do not spell (EF BF BD). Undefined when the bytes are UTF-8.
 */
function firstInvalidByte(
  bytes: Uint8Array,
  decoded: string,
): { offset: number; value: number; line: number } | undefined {
  if (!decoded.includes(REPLACEMENT)) return undefined;
  let offset = 0;
  let line = 1;
  for (const character of decoded) {
    if (
      character === REPLACEMENT &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    ) {
      return { offset, value: bytes[offset] ?? 0, line };
    }
    if (character === '\n') line++;
    offset += Buffer.byteLength(character, 'utf8');
  }
  return undefined;
}
