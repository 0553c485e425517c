import { Construct } from 'constructs';
import { MARKER_EVENT_DETAIL_TYPE, MARKER_EVENT_SOURCE, markerEventPattern } from '@xetl/config';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { ExternalRole, principalFor } from '../iam/grantee';
import { PolicyDocument } from '../iam/policy';
import { EVENTS_PUT_ACTIONS } from './event-patterns';
import type { PipelineEventBusProps } from './pipeline-event-bus-props';

/**
 * Account B's half of the trigger: a custom event bus whose resource policy (one
 * `aws_cloudwatch_event_bus_policy`, never mixed with `aws_cloudwatch_event_permission`) admits
 * `events:PutEvents` from account A's forwarder role only, for S3 object-created events, and a rule re-checking the marker pattern that delivers
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
    // Account A's root narrowed to its forwarder role (valid before A deploys), and to the one kind
    // of event it forwards: a bus admits nothing else, even from account A.
    const forwarder = principalFor([new ExternalRole(names.roleArn('source', names.eventsForwarderRoleName), names.accountRootArn('source'))]);
    const busPolicy = new PolicyDocument([{
      Sid: 'SourceForwarderOnly',
      Effect: 'Allow',
      Principal: forwarder.Principal,
      Action: [...EVENTS_PUT_ACTIONS],
      Resource: bus.arn,
      Condition: { ...forwarder.Condition, StringEquals: { 'events:source': MARKER_EVENT_SOURCE, 'events:detail-type': MARKER_EVENT_DETAIL_TYPE } },
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
