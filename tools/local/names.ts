/**
 * Prints the `local` environment's names as JSON, from the same Naming class the stacks use, so the
 * local run never spells a bucket, database or topic name a second time. With `--variable`, prints
 * the pipeline variable instead, built by the contract's own builder (as the analytics stack does)
 * from the deploy-time values the local run passes (`PipelineRuntimeValues`: `{"snsTopicArn": ...,
 * "targetKmsKeyArn": ..., "redshiftEndpoint": ..., "chatTopicArn": ..., "airflowUrl": ...}`).
 *   node --import tsx tools/local/names.ts [env]
 *   node --import tsx tools/local/names.ts [env] --variable '<json>'
 */
import { Naming, loadConfig, pipelineVariable, selectEnvironment, type PipelineRuntimeValues } from '@xetl/config';

const args = process.argv.slice(2);
const at = args.indexOf('--variable');
const runtime = at >= 0 ? (JSON.parse(args.splice(at, 2)[1]) as PipelineRuntimeValues) : undefined;
const env = selectEnvironment(loadConfig(), args[0] ?? 'local');
const n = new Naming(env);
if (runtime) {
  process.stdout.write(JSON.stringify(pipelineVariable(n, env, runtime)) + '\n');
} else {
  process.stdout.write(
    JSON.stringify({
      environment: env.name,
      region: env.region,
      sourceAccount: n.accountId('source'),
      analyticsAccount: n.accountId('analytics'),
      sourceStack: n.stackName('source'),
      analyticsStack: n.stackName('analytics'),
      sourceBucket: n.sourceBucket,
      targetBucket: n.targetBucket,
      productsPrefix: n.productsPrefix,
      stagingBucket: n.stagingBucket,
      dataKeyAlias: n.dataKeyAlias,
      glueDatabase: n.glueDatabase,
      glueCrawler: n.glueCrawler,
      glueJob: n.glueJob,
      glueRoleArn: n.glueRoleArn,
      mwaaRoleName: n.mwaaRoleName,
      redshiftWorkgroup: n.redshiftWorkgroup,
      pipelineTopic: n.pipelineTopic,
      chatTopic: n.chatTopic,
      pipelineVariableSecret: n.pipelineVariableSecret,
      airflowConnectionsPrefix: n.airflowConnectionsPrefix,
    }) + '\n',
  );
}
