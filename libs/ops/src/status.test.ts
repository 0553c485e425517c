import { CreateCrawlerCommand, CreateJobCommand, StartJobRunCommand } from '@aws-sdk/client-glue';
import { GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { AirflowApi, RestApiRequest } from './clients';
import { renderStatus, status, statusComplete, type StatusReport } from './status';
import { motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();

describe('xetl status', () => {
  test('reads crawler and job runs from moto Glue (Redshift Serverless and MWAA stubbed: not in moto)', async () => {
    await resetMoto(moto.server().endpoint);
    const ctx = motoContext(moto.server().endpoint);
    const { names } = ctx;
    await ctx.clients.glue.send(new CreateCrawlerCommand({
      Name: names.glueCrawler, Role: names.glueRoleArn, DatabaseName: names.glueDatabase,
      Targets: { S3Targets: [{ Path: `s3://${names.sourceBucket}/products/` }] },
    }));
    await ctx.clients.glue.send(new CreateJobCommand({
      Name: names.glueJob, Role: names.glueRoleArn, Command: { Name: 'glueetl', ScriptLocation: `s3://${names.assetsBucket}/${names.glueScriptKey}` },
    }));
    await ctx.clients.glue.send(new StartJobRunCommand({ JobName: names.glueJob, Arguments: { '--partition': '2026-11-21' } }));
    await ctx.clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerQueue }));
    const dlq = await ctx.clients.sqs.send(new CreateQueueCommand({ QueueName: names.triggerDlq }));
    await ctx.clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: '{}' }));

    mockClient(ctx.clients.redshiftServerless).on(GetWorkgroupCommand).resolves({
      workgroup: { workgroupName: names.redshiftWorkgroup, status: 'AVAILABLE', endpoint: { address: 'wg.example', port: 5439 } },
    });
    const calls: RestApiRequest[] = [];
    const api: AirflowApi = {
      invoke: async (r) => (calls.push(r), {
        status: 200,
        body: { total_entries: 2, dag_runs: [
          { dag_run_id: 'manual__2026-11-21__20261122T070809Z', state: 'success', conf: { partition: '2026-11-21' }, logical_date: null, start_date: '2026-11-22T07:08:10Z', end_date: '2026-11-22T07:20:00Z' },
          { dag_run_id: 'event__2026-11-20__0123456789abcdef', state: 'running', conf: { partition: '2026-11-20' }, logical_date: null, start_date: '2026-11-22T06:00:00Z', end_date: null },
        ] },
      }),
    };
    jest.spyOn(ctx.clients, 'airflow').mockReturnValue(api);

    const report = await status(ctx);
    expect(calls).toEqual([{ path: '/dags/xetl_products_pipeline/dagRuns', method: 'GET', query: { limit: 5, offset: 0, order_by: '-run_after' } }]);
    expect(statusComplete(report)).toBe(true);
    expect(report.crawler).toEqual({ ok: true, value: { name: 'xetl-local-products', state: 'READY', last_crawl: null } });
    if (!report.job.ok) throw new Error(report.job.error);
    expect(report.job.value.runs).toHaveLength(1);
    expect(report.job.value.runs[0]).toMatchObject({ partition: '2026-11-21' });
    expect(report.job.value.runs[0].state).toMatch(/^(STARTING|RUNNING|SUCCEEDED)$/); // moto: control plane only
    const text = renderStatus(report).join('\n');
    expect(text).toContain('xetl-local-products  READY  never crawled');
    expect(text).toContain('xetl-local  AVAILABLE  wg.example:5439');
    expect(text).toMatch(/manual__2026-11-21__20261122T070809Z\s+success\s+2026-11-21\s+2026-11-22T07:08:10Z\s+2026-11-22T07:20:00Z/);
    expect(text).toContain('  queue xetl-local-trigger: 0 waiting, 0 in flight');
    expect(text).toContain('  dead letters xetl-local-trigger-dlq: 1 (inspect, fix, then `xetl redrive`)');
    expect(text).toContain('  last triggered runs: event__2026-11-20__0123456789abcdef running');
    expectCliJson('status', report);
  });

  test('a missing crawler is reported in its row and does not hide the rest (MWAA and Redshift Serverless stubbed: not in moto)', async () => {
    await resetMoto(moto.server().endpoint);
    const ctx = motoContext(moto.server().endpoint);
    mockClient(ctx.clients.redshiftServerless).on(GetWorkgroupCommand).rejects(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    jest.spyOn(ctx.clients, 'airflow').mockReturnValue({ invoke: async () => ({ status: 200, body: { dag_runs: [] } }) });
    const report = await status(ctx);
    expect(statusComplete(report)).toBe(false);
    expectCliJson('status', report);
    const text = renderStatus(report);
    expect(text).toContain('  ERROR not found: crawler xetl-local-products (glue:GetCrawler); deploy the analytics stack first');
    expect(text).toContain('  ERROR not found: workgroup xetl-local (redshift-serverless:GetWorkgroup); deploy the analytics stack first');
    expect(text).toContain('  xetl_products_pipeline: no runs yet');
  });

  test('renders a fixed report exactly (pure renderer)', () => {
    const report: StatusReport = {
      environment: 'dev',
      crawler: { ok: true, value: { name: 'xetl-dev-products', state: 'READY', last_crawl: { status: 'SUCCEEDED', start_time: '2026-11-21T01:02:03Z', error: null } } },
      job: { ok: true, value: { name: 'xetl-dev-products', runs: [{ id: 'jr_1', state: 'SUCCEEDED', partition: '2026-11-21', started_on: '2026-11-21T01:05:00Z', completed_on: null, duration_seconds: 125, error: null }] } },
      workgroup: { ok: false, error: 'access denied: redshift-serverless:GetWorkgroup on workgroup xetl-dev; grant it' },
      dag_runs: { ok: true, value: { dag_id: 'xetl_products_pipeline', runs: [] } },
      trigger_queues: { ok: true, value: { queue: { name: 'xetl-dev-trigger', visible: 2, in_flight: 1 }, dlq: { name: 'xetl-dev-trigger-dlq', visible: 0, in_flight: 0 } } },
    };
    expect(renderStatus(report)).toEqual([
      'xetl status: environment dev',
      '',
      'crawler',
      '  xetl-dev-products  READY  last crawl SUCCEEDED at 2026-11-21T01:02:03Z',
      '',
      'job runs',
      '  RUN   STATE      PARTITION   STARTED               DURATION',
      '  jr_1  SUCCEEDED  2026-11-21  2026-11-21T01:05:00Z  2m05s',
      '',
      'workgroup',
      '  ERROR access denied: redshift-serverless:GetWorkgroup on workgroup xetl-dev; grant it',
      '',
      'dag runs',
      '  xetl_products_pipeline: no runs yet',
      '',
      'event trigger',
      '  queue xetl-dev-trigger: 2 waiting, 1 in flight',
      '  dead letters xetl-dev-trigger-dlq: 0',
      '  last triggered runs: none among the runs shown',
    ]);
  });
});
