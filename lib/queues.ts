import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const RETENTION = Duration.days(14);

/**
 * Where nothing gets lost: accounts the reconciler could not fix, runs that failed after Lambda's
 * retries, and scheduled events EventBridge could not deliver. Encrypted, SSL only, kept 14 days.
 */
export class ReconcilerQueues extends Construct {
  readonly failedAccounts: sqs.Queue;
  readonly runFailures: sqs.Queue;
  readonly scheduleDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.failedAccounts = this.queue('FailedAccounts');
    this.runFailures = this.queue('RunFailures');
    this.scheduleDeadLetters = this.queue('ScheduleDeadLetters');
  }

  private queue(id: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue, the last stop of a failure record; an alarm fires as soon as it is not empty.',
    });
    return queue;
  }
}
