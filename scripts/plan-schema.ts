import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { savedPlanSchema } from '../cli/saved-plan/schema';

/** The published JSON Schema of the plan file, beside the reference that describes it. */
export const PLAN_SCHEMA_FILE = path.join(__dirname, '..', 'docs', 'plan.schema.json');

/** docs/plan.schema.json, generated from savedPlanSchema as policy.schema.json is from the policy's. */
export function planJsonSchema(): string {
  const schema = z.toJSONSchema(savedPlanSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'deep-inspection saved plan', $id: 'plan.schema.json' }, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(PLAN_SCHEMA_FILE, planJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), PLAN_SCHEMA_FILE)}`);
}
