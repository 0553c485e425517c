// Types of cdktf's jest matchers (registered at runtime by Testing.setupJest in the jest setup).
import type {} from 'cdktf/lib/testing/adapters/jest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { applyDefaults, Naming, type ChatConfig } from '@xetl/config';
import { validateStack } from '@xetl/testing';
import { ScopedRole } from '../iam/scoped-role';
import { securityFindings } from '../guards/security-findings';
import { DataKey } from '../storage/data-key';
import { resourcesOf, roleStatements, synthJson, testStack } from '../test-helpers';
import { CHAT_NOTIFICATION_ACTIONS, ChatChannels } from './chat-channels';

const SLACK = { teamId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
const TEAMS = {
  tenantId: '1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809',
  teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
  channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
};
const names = new Naming(applyDefaults('dev', { region: 'eu-west-1', accounts: { source: '111111111111', analytics: '222222222222' } }));

function build(chat: ChatConfig, raw?: false): ReturnType<typeof synthJson>;
function build(chat: ChatConfig, raw: true): string;
function build(chat: ChatConfig, raw = false) {
  const stack = testStack();
  const key = new DataKey(stack, 'Key', { alias: names.analyticsKeyAlias, description: 'test', accountId: '222222222222' });
  const channels = new ChatChannels(stack, 'Chat', { names, chat, region: 'eu-west-1', encryptionKey: key });
  const mwaa = new ScopedRole(stack, 'Mwaa', { roleName: names.mwaaRoleName, accountId: '222222222222', description: 'test', trustedServices: ['airflow.amazonaws.com'] });
  channels.grantPublish(mwaa);
  return raw ? Testing.synth(stack) : synthJson(stack);
}

describe('ChatChannels', () => {
  test('a Slack channel: one configuration on the chat topic, with the channel role and the guardrail', () => {
    const json = build({ slack: SLACK });
    const [slack] = resourcesOf(json, 'aws_chatbot_slack_channel_configuration');
    expect(slack).toMatchObject({
      configuration_name: 'xetl-dev-slack', slack_team_id: SLACK.teamId, slack_channel_id: SLACK.channelId, logging_level: 'ERROR',
      sns_topic_arns: [expect.stringMatching(/^\$\{aws_sns_topic\..*\.arn\}$/)],
      iam_role_arn: expect.stringMatching(/^\$\{aws_iam_role\..*\.arn\}$/),
      guardrail_policy_arns: [expect.stringMatching(/^\$\{aws_iam_policy\..*\.arn\}$/)],
    });
    expect(resourcesOf(json, 'aws_chatbot_teams_channel_configuration')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_sns_topic').map((t) => t.name)).toEqual(['xetl-dev-chat']);
    // Chatbot subscribes itself; the topic has no e-mail subscriber that would get the JSON.
    expect(resourcesOf(json, 'aws_sns_topic_subscription')).toHaveLength(0);
  });

  test('a Teams channel, or both platforms, each on the same topic', () => {
    const [teams] = resourcesOf(build({ teams: TEAMS }), 'aws_chatbot_teams_channel_configuration');
    expect(teams).toMatchObject({ configuration_name: 'xetl-dev-teams', tenant_id: TEAMS.tenantId, team_id: TEAMS.teamId, channel_id: TEAMS.channelId });
    const both = build({ slack: SLACK, teams: TEAMS });
    const topics = [...resourcesOf(both, 'aws_chatbot_slack_channel_configuration'), ...resourcesOf(both, 'aws_chatbot_teams_channel_configuration')]
      .map((c) => c.sns_topic_arns);
    expect(topics).toHaveLength(2);
    expect(topics[0]).toEqual(topics[1]);
  });

  test('the channel role is assumed by Chatbot only and may only read alarms and metrics', () => {
    const json = build({ slack: SLACK });
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name === 'xetl-dev-chat')!;
    expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: ['chatbot.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ]);
    expect(roleStatements(json, 'xetl-dev-chat')).toEqual([
      { Sid: 'ReadNotificationContext', Effect: 'Allow', Action: [...CHAT_NOTIFICATION_ACTIONS], Resource: '*' },
    ]);
    expect(CHAT_NOTIFICATION_ACTIONS.every((a) => /^cloudwatch:(Describe|Get|List)[A-Za-z]+$/.test(a))).toBe(true);
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toHaveLength(0);
  });

  test('the guardrail is no wider than the role: the same read-only actions, never AdministratorAccess', () => {
    const json = build({ slack: SLACK, teams: TEAMS });
    const [guardrail] = resourcesOf(json, 'aws_iam_policy');
    expect(guardrail.name).toBe('xetl-dev-chat-guardrail');
    expect(JSON.parse(String(guardrail.policy)).Statement).toEqual(roleStatements(json, 'xetl-dev-chat'));
    for (const c of [...resourcesOf(json, 'aws_chatbot_slack_channel_configuration'), ...resourcesOf(json, 'aws_chatbot_teams_channel_configuration')]) {
      expect(c.guardrail_policy_arns).toHaveLength(1);
      expect(JSON.stringify(c)).not.toMatch(/AdministratorAccess|ReadOnlyAccess/);
    }
  });

  test('only the granted role publishes, and the messages are encrypted with the key', () => {
    const json = build({ slack: SLACK });
    const [topic] = resourcesOf(json, 'aws_sns_topic');
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key/);
    const statements = JSON.parse(String(resourcesOf(json, 'aws_sns_topic_policy')[0].policy)).Statement;
    expect(statements.map((s: { Sid: string }) => s.Sid)).toEqual(['DenyInsecureTransport', 'Publish1']);
    expect(roleStatements(json, names.mwaaRoleName)).toContainEqual(expect.objectContaining({ Action: ['sns:Publish'], Resource: expect.stringMatching(/aws_sns_topic\./) }));
  });

  test('passes the security guards', () => {
    expect(securityFindings(build({ slack: SLACK, teams: TEAMS }) as never)).toEqual([]);
  });

  test('is valid Terraform for hashicorp/aws 5.100.0 (terraform validate with the real provider)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-chat-'));
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), build({ slack: SLACK, teams: TEAMS }, true));
    expect(() => validateStack({ name: 'chat-channels', dir, accountId: '222222222222', json: {} })).not.toThrow();
  }, 180_000);

  test('refuses a chat block without a channel', () => {
    expect(() => build({})).toThrow('ChatChannels: notifications.chat names no Slack or Teams channel');
  });
});
