import { SimulatedOrganization } from '../../local/simulated-organization';
import { inOwnWorld, startWorld } from '../support/function-environment';

/** The concurrent end-to-end tests' world: a failing test and a departure from the models are both reported. */

const world = () =>
  startWorld(SimulatedOrganization.generate({ accounts: 3, regions: ['us-east-1'] }), {
    version: 1,
    default: 'ACTIVATED',
  });
const departure = {
  service: 'inspector2',
  operation: 'BatchGetAccountStatus',
  status: 200,
  path: '$',
  constraint: 'planted',
};

describe('inOwnWorld', () => {
  it('reports a failing test and a departure from the models together, neither hiding the other', async () => {
    const ran = inOwnWorld(world, async ({ endpoint }) => {
      (endpoint.violations as unknown[]).push(departure);
      throw new Error('the assertion that failed');
    });
    const error = await ran.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'the assertion that failed',
      expect.stringContaining("responses departed from AWS's models"),
    ]);
  });

  it('reports the failing test alone when the answers conformed, and the departure alone when the test passed', async () => {
    await expect(
      inOwnWorld(world, async () => {
        throw new Error('the assertion that failed');
      }),
    ).rejects.toThrow(/^the assertion that failed$/);
    await expect(
      inOwnWorld(world, async ({ endpoint }) => {
        (endpoint.violations as unknown[]).push(departure);
      }),
    ).rejects.toThrow(/responses departed from AWS's models/);
    await expect(inOwnWorld(world, async () => undefined)).resolves.toBeUndefined();
  });
});
