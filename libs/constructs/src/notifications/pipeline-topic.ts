import { Construct } from 'constructs';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Grantee, principalFor } from '../iam/grantee';
import { PolicyDocument } from '../iam/policy';
import type { DataKey } from '../storage/data-key';
import type { PipelineTopicProps } from './pipeline-topic-props';

export const SNS_PUBLISH_ACTIONS = ['sns:Publish'] as const;

/**
 * The pipeline's SNS topic for success and failure messages: encrypted with a customer-managed
 * key, TLS-only, e-mail subscriptions from config, and a topic policy that lets only the roles
 * given to `grantPublish` publish.
 *
 * @example
 * const topic = new PipelineTopic(this, 'Topic', { topicName: names.pipelineTopic, region, encryptionKey: key, emails });
 * topic.grantPublish(mwaaRole);
 */
export class PipelineTopic extends Construct {
  readonly topicArn: string;
  private readonly topic: SnsTopic;
  private readonly policy: PolicyDocument;
  private readonly encryptionKey: DataKey;
  private readonly snsService: string;
  private grantCount = 0;

  constructor(scope: Construct, id: string, props: PipelineTopicProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.snsService = `sns.${props.region}.amazonaws.com`;
    this.topic = new SnsTopic(this, 'Topic', { name: props.topicName, kmsMasterKeyId: props.encryptionKey.keyArn });
    this.topicArn = this.topic.arn;
    this.policy = new PolicyDocument([{
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: ['sns:Publish'],
      Resource: this.topic.arn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }]);
    new SnsTopicPolicy(this, 'Policy', { arn: this.topic.arn, policy: this.policy.lazyJson() });
    (props.emails ?? []).forEach((email, i) => {
      new SnsTopicSubscription(this, `Email${i}`, { topicArn: this.topic.arn, protocol: 'email', endpoint: email });
    });
  }

  /** Lets exactly these roles publish (topic policy, their own policy, and the key through SNS). */
  grantPublish(...grantees: Grantee[]): void {
    const { Principal, Condition } = principalFor(grantees);
    this.policy.add({ Sid: `Publish${++this.grantCount}`, Effect: 'Allow', Principal, Action: [...SNS_PUBLISH_ACTIONS], Resource: this.topic.arn, Condition });
    for (const g of grantees) {
      g.addToPrincipalPolicy?.({ Sid: 'PublishPipelineEvents', Effect: 'Allow', Action: [...SNS_PUBLISH_ACTIONS], Resource: this.topic.arn });
    }
    this.encryptionKey.grantEncryptDecrypt(grantees, { viaService: this.snsService, sid: `${this.node.id}Publish${this.grantCount}` });
  }
}
