import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { policyDocumentSchema } from '../lambda/reconciler';

/** The published editor schema's file, at the project's top level beside policy.json. */
export const POLICY_SCHEMA_FILE = path.join(__dirname, '..', 'policy.schema.json');

/**
 * policy.schema.json, generated from the zod schema the validator runs: an editor completes and
 * checks a policy as it is typed. Checks JSON Schema cannot say (distinct ids, duplicate rule names,
 * a rule naming accounts or OUs) are the validator's alone; a "states at least one setting" refinement is said
 * to it by an `anyOf` in the schema's `.meta` (policy/document.ts requiresOneOf). `$schema` in a policy points here.
 */
export function policyJsonSchema(): string {
  const schema = z.toJSONSchema(policyDocumentSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify(
    { ...schema, title: 'Deep inspection reconciler policy', $id: 'policy.schema.json' },
    null,
    2,
  )}\n`;
}

if (require.main === module) {
  writeFileSync(POLICY_SCHEMA_FILE, policyJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), POLICY_SCHEMA_FILE)}`);
}
