/**
 * What the function's role needs for the findings step, and nothing more (Service Authorization
 * Reference, "Actions, resources, and condition keys for AWS Security Hub"):
 * - BatchImportFindings is authorized against the product it imports to (resource type `product`,
 *   required): only this account's default product, in any region, since the policy names the regions
 *   and may change them without a deploy;
 * - GetFindings (which also tells whether Security Hub is enabled: no DescribeHub) lists only the
 *   optional resource types `hub` and `hubv2`, and the request names no hub; the Security Hub CSPM User
 *   Guide ("How Security Hub CSPM works with IAM") says it supports no policy resources. A statement
 *   narrowed to the hub ARN would rest on how Security Hub builds a request context it does not document,
 *   and fail only in production: granted on "*", as it only reads this account's own findings;
 * - not BatchUpdateFindings: the function never writes the fields people own (Workflow, Note, ...).
 *
 * A plain description, so that the stack (a PolicyStatement each) and the tests that evaluate it share it.
 */
export interface PermissionStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export function securityHubStatements(partition: string, accountId: string): PermissionStatement[] {
  return [
    {
      actions: ['securityhub:BatchImportFindings'],
      resources: [`arn:${partition}:securityhub:*:${accountId}:product/${accountId}/default`],
    },
    { actions: ['securityhub:GetFindings'], resources: ['*'] },
  ];
}
