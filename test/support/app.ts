import { App, type AppProps } from 'aws-cdk-lib';
import { BUNDLING_STACKS, DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';

/**
 * A CDK App for tests that read the template or the construct tree.
 *
 * - **No bundling** (`aws:cdk:bundling-stacks` empty): the end-to-end suites build the real bundle once a test run
 *   (local/bundle.ts); pass `bundle: true` for a test that reads the asset itself.
 * - **No creation stack traces** (`aws:cdk:disable-creation-stack-traces`): aws-cdk-lib otherwise records the
 *   call stack of every L1 construct it creates, and under Jest each one is mapped through source maps: half of
 *   what constructing the stack costs (aws-cdk-lib cx-api: "You should only need to set this for performance
 *   reasons"). No test reads them.
 * - **No built-in CloudFormation validation** unless `builtinCloudFormationValidation: true`: its engine costs
 *   about 8 s of CPU a process to start, and only test/infra/cdk-nag.test.ts asserts its report.
 */
export function testApp(props: AppProps & { readonly bundle?: boolean } = {}): App {
  const { bundle = false, context, ...rest } = props;
  return new App({
    builtinCloudFormationValidation: false,
    ...rest,
    context: {
      ...(bundle ? {} : { [BUNDLING_STACKS]: [] }),
      [DISABLE_CREATION_STACK_TRACES]: true,
      ...context,
    },
  });
}
