import { Construct } from 'constructs';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import type { Grantee } from '../iam/grantee';
import { GLUE_JOB_RUN_ACTIONS } from './glue-actions';
import type { FeedJobProps } from './job-props';

/**
 * The Glue 5.0 ETL job that validates, de-duplicates and curates one partition of the feed into the
 * staging bucket (docs/data-contract.md). One run at a time, and no Glue-level retries: Airflow owns
 * retries (the task's `retries` with backoff), so a failure is retried once per policy, not twice.
 * The role it runs as is granted the staging prefixes it writes and reads back and the scripts.
 *
 * @example
 * const job = new FeedJob(this, 'Job', { names, role, securityConfiguration, stagingBucket, assetsBucket, glue: env.glue });
 * job.grantRun(mwaaRole);
 */
export class FeedJob extends Construct {
  /** Glue's own retries; 0 because the DAG task retries (docs/pipeline-glue.md). */
  static readonly MAX_RETRIES = 0;
  /** Each run replaces one whole partition; the DAG processes partitions one by one. */
  static readonly MAX_CONCURRENT_RUNS = 1;
  readonly job: GlueJob;

  constructor(scope: Construct, id: string, props: FeedJobProps) {
    super(scope, id);
    const { names } = props;
    for (const prefix of [names.stagingCuratedPrefix, names.stagingQuarantinePrefix, names.stagingManifestsPrefix, names.stagingGlueTempPrefix]) {
      props.stagingBucket.grantWrite([props.role], prefix);
      // The job reads back what it wrote to count the outcome it reports in the manifest.
      props.stagingBucket.grantRead([props.role], prefix);
    }
    props.assetsBucket.grantRead([props.role], 'glue-scripts/');

    const assets = `s3://${props.assetsBucket.bucketName}`;
    this.job = new GlueJob(this, 'Job', {
      name: names.glueJob,
      description: 'Validates, de-duplicates and curates one partition of the products feed (docs/data-contract.md)',
      roleArn: props.role.roleArn,
      glueVersion: '5.0',
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: `${assets}/${names.glueScriptKey}` },
      workerType: props.glue.workerType,
      numberOfWorkers: props.glue.numberOfWorkers,
      executionClass: props.glue.executionClass,
      timeout: props.glue.timeoutMinutes,
      maxRetries: FeedJob.MAX_RETRIES,
      securityConfiguration: props.securityConfiguration.name,
      executionProperty: { maxConcurrentRuns: FeedJob.MAX_CONCURRENT_RUNS },
      dependsOn: props.securityConfiguration.logGroups.groups,
      defaultArguments: {
        '--job-language': 'python',
        '--extra-py-files': `${assets}/${names.glueLibraryKey}`,
        // Reading and checking records is Java (glue-scripts/jvm): one pass over a record's bytes.
        '--extra-jars': `${assets}/${names.glueJarKey}`,
        // The DAG names the partition of every run and the job replaces that partition whole, so a
        // rerun must see all of its files again; a bookmark would skip them and publish nothing.
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        // Into the group the security configuration created (retention, key), not one Glue makes.
        '--continuous-log-logGroup': names.glueLogGroups.jobContinuous,
        '--TempDir': `s3://${props.stagingBucket.bucketName}/${names.stagingGlueTempPrefix}`,
        '--source_uri': `s3://${names.sourceBucket}/${names.productsPrefix}`,
        '--staging_uri': `s3://${props.stagingBucket.bucketName}`,
      },
    });
  }

  /** Lets a role of this stack start, watch and stop the job, exactly as `GlueJobOperator` does. */
  grantRun(grantee: Grantee): void {
    if (!grantee.addToPrincipalPolicy) throw new Error('grantRun needs a role of this stack');
    grantee.addToPrincipalPolicy({ Sid: 'RunJob', Effect: 'Allow', Action: [...GLUE_JOB_RUN_ACTIONS], Resource: this.job.arn });
  }
}
