import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { Readable } from 'node:stream';
import { paceSecurityHub } from '../../lambda/reconciler/aws/securityhub';

// Apart from securityhub.test.ts: aws-sdk-client-mock replaces send on every client, middleware and all.
describe('paceSecurityHub', () => {
  /** A client whose requests never leave the process, on a clock that only moves when pacing waits. */
  function pacedClient() {
    const clock = { time: 0 };
    const client = paceSecurityHub(
      new SecurityHubClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        requestHandler: {
          handle: async () => ({
            // An HttpResponse's shape; @smithy/protocol-http itself is not a dependency of this project.
            response: {
              statusCode: 200,
              headers: { 'content-type': 'application/json' },
              body: Readable.from([Buffer.from('{"Findings":[],"FailedCount":0,"SuccessCount":0}')]),
            },
          }),
        },
      }),
      {
        now: () => clock.time,
        // Like setTimeout, never less than a millisecond (a fraction of one would not move a clock in the thousands).
        sleep: async (ms) => {
          clock.time += Math.max(1, ms);
        },
      },
    );
    return { client, clock };
  }

  it('holds GetFindings to 3 requests a second', async () => {
    const { client, clock } = pacedClient();
    for (let i = 0; i < 13; i++) await client.send(new GetFindingsCommand({}));
    // A second's worth at once, then one every third of a second.
    expect(clock.time).toBeGreaterThanOrEqual(10_000 / 3 - 1);
    expect(clock.time).toBeLessThan(10_000 / 3 + 20);
  });

  it('holds BatchImportFindings to 10 requests a second, paced apart from GetFindings', async () => {
    const { client, clock } = pacedClient();
    await client.send(new GetFindingsCommand({}));
    for (let i = 0; i < 20; i++) await client.send(new BatchImportFindingsCommand({ Findings: [] }));
    expect(clock.time).toBeGreaterThanOrEqual(999);
    expect(clock.time).toBeLessThan(1_020);
  });
});
