// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { ScopedRole } from '../iam/scoped-role';
import { DataKey } from '../storage/data-key';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { PipelineTopic } from './pipeline-topic';

function build(emails: string[]) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: 'alias/test', description: 'test', accountId: '222222222222' });
  const topic = new PipelineTopic(stack, 'Topic', { topicName: 'xetl-dev-pipeline', region: 'eu-west-1', encryptionKey: key, emails });
  const role = new ScopedRole(stack, 'Mwaa', { roleName: 'xetl-dev-mwaa', accountId: '222222222222', description: 'test', trustedServices: ['airflow.amazonaws.com'] });
  topic.grantPublish(role);
  return { json: synthJson(stack), raw: Testing.synth(stack) };
}

describe('PipelineTopic', () => {
  test('encrypts messages with the customer-managed key', () => {
    const { raw } = build([]);
    expect(raw).toHaveResourceWithProperties(SnsTopic, { name: 'xetl-dev-pipeline', kms_master_key_id: expect.stringMatching(/aws_kms_key/) });
  });

  test('subscribes each configured e-mail address', () => {
    const { json } = build(['a@example.com', 'b@example.com']);
    expect(resourcesOf(json, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'a@example.com'], ['email', 'b@example.com'],
    ]);
    expect(resourcesOf(build([]).json, 'aws_sns_topic_subscription')).toHaveLength(0);
  });

  test('lets only the granted role publish, over TLS', () => {
    const { json } = build([]);
    const statements = JSON.parse(String(resourcesOf(json, 'aws_sns_topic_policy')[0].policy)).Statement;
    expect(statements.map((s: any) => [s.Sid, s.Effect])).toEqual([['DenyInsecureTransport', 'Deny'], ['Publish1', 'Allow']]);
    expect(statements[1]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: ['sns:Publish'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': expect.stringMatching(/aws_iam_role\..*\.arn/) } },
    });
  });
});
