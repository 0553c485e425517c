import { Construct } from 'constructs';
import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { ChatbotTeamsChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-teams-channel-configuration';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import type { Grantee } from '../iam/grantee';
import { PolicyDocument, type PolicyStatement } from '../iam/policy';
import { ScopedRole } from '../iam/scoped-role';
import type { ChatChannelsProps } from './chat-channels-props';
import { PipelineTopic } from './pipeline-topic';

/**
 * Read-only CloudWatch calls Chatbot makes to render AWS service notifications (alarm state and
 * its graph). xetl's own notices are custom notifications and need none of them; nothing in this
 * list reads data or changes anything.
 */
export const CHAT_NOTIFICATION_ACTIONS = [
  'cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricWidgetImage', 'cloudwatch:ListMetrics',
] as const;

/** The Chatbot service principal that assumes the channel role. */
const CHATBOT_SERVICE = 'chatbot.amazonaws.com';

/**
 * The chat channels of `notifications.chat`: Slack and/or Microsoft Teams channel configurations of
 * Amazon Q Developer in chat applications (AWS Chatbot), subscribed to a topic of their own. The
 * pipeline publishes Chatbot's custom-notification JSON there (`xetl_tasks.notify.chat_message`);
 * the e-mail subscribers of the pipeline topic never see it.
 *
 * Least privilege twice over: the channel role may only read CloudWatch alarms and metrics, and
 * the channels' guardrail (the ceiling of whatever any channel member runs, channel or user role)
 * is a policy of the same read-only actions, never the AdministratorAccess Chatbot defaults to.
 *
 * @example
 * const chat = new ChatChannels(this, 'Chat', { names, chat: env.notifications.chat, region, encryptionKey: key });
 * chat.grantPublish(mwaaRole);
 */
export class ChatChannels extends Construct {
  readonly topicArn: string;
  readonly role: ScopedRole;
  readonly guardrailPolicyArn: string;
  private readonly topic: PipelineTopic;

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    const { names, chat } = props;
    if (!chat.slack && !chat.teams) throw new Error('ChatChannels: notifications.chat names no Slack or Teams channel');
    this.topic = new PipelineTopic(this, 'Topic', { topicName: names.chatTopic, region: props.region, encryptionKey: props.encryptionKey });
    this.topicArn = this.topic.topicArn;

    const readOnly: PolicyStatement = { Sid: 'ReadNotificationContext', Effect: 'Allow', Action: [...CHAT_NOTIFICATION_ACTIONS], Resource: '*' };
    this.role = new ScopedRole(this, 'Role', {
      roleName: names.chatRoleName,
      accountId: names.accountId('analytics'),
      partition: names.partition,
      description: `xetl ${names.env.name}: Amazon Q Developer in chat applications (AWS Chatbot) posts pipeline notices to the chat channels`,
      trustedServices: [CHATBOT_SERVICE],
    });
    this.role.addToPrincipalPolicy(readOnly);
    const guardrail = new IamPolicy(this, 'Guardrail', {
      name: names.chatGuardrailPolicyName,
      description: `xetl ${names.env.name}: the most anyone can do through the chat channels (read-only notifications)`,
      policy: new PolicyDocument([readOnly]).toJson(),
    });
    this.guardrailPolicyArn = guardrail.arn;

    const common = {
      iamRoleArn: this.role.roleArn,
      guardrailPolicyArns: [guardrail.arn],
      snsTopicArns: [this.topic.topicArn],
      loggingLevel: props.loggingLevel ?? 'ERROR',
      // Chatbot checks the role when the configuration is created.
      dependsOn: this.role.dependables,
    };
    if (chat.slack) {
      new ChatbotSlackChannelConfiguration(this, 'Slack', {
        ...common, configurationName: names.chatConfigurationName('slack'), slackTeamId: chat.slack.teamId, slackChannelId: chat.slack.channelId,
      });
    }
    if (chat.teams) {
      new ChatbotTeamsChannelConfiguration(this, 'Teams', {
        ...common, configurationName: names.chatConfigurationName('teams'),
        tenantId: chat.teams.tenantId, teamId: chat.teams.teamId, channelId: chat.teams.channelId,
      });
    }
  }

  /** Lets exactly these roles publish to the chat topic (topic policy, their policy, the key through SNS). */
  grantPublish(...grantees: Grantee[]): void {
    this.topic.grantPublish(...grantees);
  }
}
