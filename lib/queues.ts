import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const RETENTION = Duration.days(14);

/**
 * Where nothing gets lost: accounts the reconciler could not fix, runs that failed after Lambda's
 * retries, scheduled events EventBridge Scheduler could not deliver, and notifications (the alarm
 * topic's EventBridge rules) EventBridge could not deliver. Encrypted, SSL only, kept 14 days.
 */
export class ReconcilerQueues extends Construct {
  readonly failedAccounts: sqs.Queue;
  readonly runFailures: sqs.Queue;
  readonly scheduleDeadLetters: sqs.Queue;
  /** The dead-letter queue of every EventBridge rule target that notifies the alarm topic. */
  readonly notificationDeadLetters: sqs.Queue;

  /** @param props.evidenceRemovalPolicy what `cdk destroy` does with the queues that hold failure records */
  constructor(scope: Construct, id: string, props: { readonly evidenceRemovalPolicy?: RemovalPolicy } = {}) {
    super(scope, id);
    const evidence = props.evidenceRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.failedAccounts = this.queue('FailedAccounts', evidence);
    this.runFailures = this.queue('RunFailures', evidence);
    this.scheduleDeadLetters = this.queue('ScheduleDeadLetters', RemovalPolicy.DESTROY);
    // A notification that never arrived is evidence too: the event (who changed the policy, which alarm
    // recovered) and EventBridge's error are in the message.
    this.notificationDeadLetters = this.queue('NotificationDeadLetters', evidence);
  }

  private queue(id: string, removalPolicy: RemovalPolicy): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: RETENTION,
      removalPolicy,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue, the last stop of a failure record; an alarm fires as soon as it is not empty.',
    });
    return queue;
  }
}
