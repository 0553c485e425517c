/**
 * Prints the `local` environment's names as JSON, from the same Naming class the stacks use, so the
 * local run never spells a bucket, database or topic name a second time.
 *   node --import tsx tools/local/names.ts [env]
 */
import { loadConfig, Naming, selectEnvironment } from '@xetl/config';

const env = selectEnvironment(loadConfig(), process.argv[2] ?? 'local');
const n = new Naming(env);
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
    redshiftWorkgroup: n.redshiftWorkgroup,
    redshiftRoleArn: n.redshiftRoleArn,
    unloadRoleArn: n.unloadRoleArn,
    pipelineTopic: n.pipelineTopic,
    pipelineVariableKey: n.pipelineVariableKey,
    pipelineVariableSecret: n.pipelineVariableSecret,
    airflowConnectionsPrefix: n.airflowConnectionsPrefix,
  }) + '\n',
);
