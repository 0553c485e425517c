import { Construct } from 'constructs';
import { markerEventPattern } from '@xetl/config';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { PolicyDocument } from '../iam/policy';
import { EVENTS_PUT_ACTIONS } from './event-patterns';
import type { PipelineEventBusProps } from './pipeline-event-bus-props';

/**
 * Account B's half of the trigger: a custom event bus whose resource policy (one
 * `aws_cloudwatch_event_bus_policy`, never mixed with `aws_cloudwatch_event_permission`) admits
 * `events:PutEvents` from account A only, and a rule re-checking the marker pattern that delivers
 * to the trigger queue (which admits this rule's ARN only).
 *
 * @example
 * const queue = new TriggerQueue(this, 'TriggerQueue', { names, encryptionKey: key });
 * new PipelineEventBus(this, 'TriggerEvents', { names, queue });
 */
export class PipelineEventBus extends Construct {
  readonly busArn: string;
  readonly ruleArn: string;

  constructor(scope: Construct, id: string, props: PipelineEventBusProps) {
    super(scope, id);
    const { names } = props;
    const bus = new CloudwatchEventBus(this, 'Bus', { name: names.pipelineEventBus });
    this.busArn = bus.arn;
    const busPolicy = new PolicyDocument([{
      Sid: 'SourceAccountOnly',
      Effect: 'Allow',
      Principal: { AWS: names.accountRootArn('source') },
      Action: [...EVENTS_PUT_ACTIONS],
      Resource: bus.arn,
    }]);
    new CloudwatchEventBusPolicy(this, 'BusPolicy', { eventBusName: bus.name, policy: busPolicy.toJson() });

    const rule = new CloudwatchEventRule(this, 'Rule', {
      name: names.triggerRuleName,
      eventBusName: bus.name,
      description: `xetl ${names.env.name}: marker objects of ${names.sourceBucket} (account A) -> the trigger queue`,
      eventPattern: JSON.stringify(markerEventPattern({ bucketName: names.sourceBucket, prefix: names.productsPrefix })),
    });
    this.ruleArn = rule.arn;
    props.queue.admitRule(names.eventRuleArn('analytics', names.triggerRuleName, names.pipelineEventBus));
    new CloudwatchEventTarget(this, 'ToQueue', { rule: rule.name, eventBusName: bus.name, targetId: 'trigger-queue', arn: props.queue.queueArn });
  }
}
