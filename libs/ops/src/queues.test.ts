import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DLQ_REASON_ATTRIBUTE, queueDepth, redrive, renderRedrive } from './queues';
import { motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();

describe('xetl redrive (real moto SQS)', () => {
  test('moves every dead letter back to the trigger queue, dropping the reason, and counts the reasons', async () => {
    await resetMoto(moto.server().endpoint);
    const ctx = motoContext(moto.server().endpoint);
    const { names, clients } = ctx;
    const queue = (await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerQueue }))).QueueUrl as string;
    const dlq = (await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerDlq }))).QueueUrl as string;
    const reasons = ['airflow 403: forbidden', 'airflow 403: forbidden', 'malformed event: no detail.object.key'];
    for (const [i, reason] of reasons.entries()) {
      await clients.sqs.send(new SendMessageCommand({
        QueueUrl: dlq, MessageBody: JSON.stringify({ n: i }),
        MessageAttributes: { [DLQ_REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reason } },
      }));
    }
    expect((await queueDepth(ctx, names.triggerDlq)).visible).toBe(3);

    const r = await redrive(ctx);
    expect(r).toEqual({ from: names.triggerDlq, to: names.triggerQueue, moved: 3, reasons: [{ reason: 'airflow 403: forbidden', count: 2 }, { reason: 'malformed event: no detail.object.key', count: 1 }] });
    expectCliJson('redrive', r);
    expect(renderRedrive(r)[0]).toBe('xetl redrive: moved 3 message(s) from xetl-local-trigger-dlq back to xetl-local-trigger');

    const dlqLeft = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(dlqLeft.Attributes?.ApproximateNumberOfMessages).toBe('0');
    const back = (await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
    expect(back.map((m) => JSON.parse(m.Body as string).n).sort()).toEqual([0, 1, 2]);
    expect(back.every((m) => !m.MessageAttributes?.[DLQ_REASON_ATTRIBUTE])).toBe(true);
  });

  test('an empty DLQ moves nothing, and --max caps the move', async () => {
    await resetMoto(moto.server().endpoint);
    const ctx = motoContext(moto.server().endpoint);
    const { names, clients } = ctx;
    await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerQueue }));
    const dlq = (await clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerDlq }))).QueueUrl as string;
    expect(renderRedrive(await redrive(ctx))).toEqual(['xetl redrive: xetl-local-trigger-dlq is empty; nothing to move']);
    for (let i = 0; i < 4; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: String(i) }));
    expect((await redrive(ctx, { max: 2 })).moved).toBe(2);
    expect((await queueDepth(ctx, names.triggerDlq)).visible).toBe(2);
  });

  test('a missing queue names the queue and the fix', async () => {
    await resetMoto(moto.server().endpoint);
    await expect(redrive(motoContext(moto.server().endpoint))).rejects.toThrow(/queue xetl-local-trigger(-dlq)? \(sqs:GetQueueUrl\); deploy the analytics stack first/);
  });
});
