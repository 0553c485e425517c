import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import { GlueJob } from '@cdktf/provider-aws/lib/glue-job';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import type { Grantee } from '../iam/grantee';
import { ScopedRole } from '../iam/scoped-role';
import { identityStatements } from '../storage/secure-bucket-grants';
import { KMS_DECRYPT_ACTIONS } from '../iam/actions';
import type { GluePipelineProps } from './glue-pipeline-props';

/** What the crawler and job do in the Data Catalog (sorted). */
export const GLUE_CATALOG_ACTIONS = [
  'glue:BatchCreatePartition', 'glue:BatchGetPartition', 'glue:BatchUpdatePartition', 'glue:CreatePartition',
  'glue:CreateTable', 'glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables',
  'glue:UpdatePartition', 'glue:UpdateTable',
] as const;
/** Glue writing its own (KMS-encrypted) logs. */
export const GLUE_LOG_ACTIONS = ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'] as const;
/** What an orchestrator needs to run and watch the crawler. GetCrawlerMetrics has no resource type. */
export const GLUE_CRAWLER_RUN_ACTIONS = ['glue:GetCrawler', 'glue:StartCrawler'] as const;
export const GLUE_CRAWLER_METRICS_ACTIONS = ['glue:GetCrawlerMetrics'] as const;
export const GLUE_JOB_RUN_ACTIONS = ['glue:BatchStopJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:StartJobRun'] as const;

/**
 * The Glue side of the pipeline: a Data Catalog database, a security configuration (SSE-KMS for
 * S3, KMS for CloudWatch logs and job bookmarks), a crawler over account A's `products/` prefix
 * that only looks at new folders, the ETL job (Glue 5.0) that writes curated and quarantined
 * data to the staging bucket, and the role both run as, scoped to exactly those places.
 * `grantRun` lets an orchestrator start and watch the crawler and the job.
 *
 * @example
 * const glue = new GluePipeline(this, 'Glue', { names, encryptionKey: key, stagingBucket, assetsBucket, glue: env.glue });
 * glue.grantRun(mwaaRole);
 */
export class GluePipeline extends Construct {
  readonly role: ScopedRole;
  readonly database: GlueCatalogDatabase;
  readonly crawler: GlueCrawler;
  readonly job: GlueJob;
  readonly securityConfiguration: GlueSecurityConfiguration;

  constructor(scope: Construct, id: string, props: GluePipelineProps) {
    super(scope, id);
    const { names } = props;
    const region = names.env.region;
    const account = names.accountId('analytics');
    const arn = (resource: string) => `arn:${names.partition}:glue:${region}:${account}:${resource}`;
    const sourceUri = `s3://${names.sourceBucket}/${names.productsPrefix}`;

    this.role = new ScopedRole(this, 'Role', {
      roleName: names.glueRoleName,
      accountId: account,
      partition: names.partition,
      description: `xetl ${names.env.name}: the Glue crawler and ETL job read account ${names.accountId('source')}'s feed and write staging`,
      trustedServices: ['glue.amazonaws.com'],
      serviceTrustConditions: { StringEquals: { 'aws:SourceAccount': account } },
    });

    // Account A's source prefix: its bucket policy admits this role (source stack); this is the identity half.
    identityStatements(names.bucketArn(names.sourceBucket), `${names.productsPrefix}/`, false)
      .forEach((s) => this.role.addToPrincipalPolicy(s));
    this.role.addToPrincipalPolicy({
      // Account B cannot know the ID of account A's key, so every key of A in this region is named
      // and S3 must be the caller; A's key policy admits this role for exactly its data key.
      Sid: 'DecryptSourceThroughS3',
      Effect: 'Allow',
      Action: [...KMS_DECRYPT_ACTIONS],
      Resource: names.dataKeyArnPattern,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    });
    for (const prefix of [names.stagingCuratedPrefix, names.stagingQuarantinePrefix, names.stagingManifestsPrefix, names.stagingGlueTempPrefix]) {
      props.stagingBucket.grantWrite([this.role], prefix);
      // The job reads back what it wrote to count the outcome it reports in the manifest.
      props.stagingBucket.grantRead([this.role], prefix);
    }
    props.assetsBucket.grantRead([this.role], 'glue-scripts/');
    this.role.addToPrincipalPolicy({
      Sid: 'OwnLogs',
      Effect: 'Allow',
      Action: [...GLUE_LOG_ACTIONS],
      Resource: [
        `arn:${names.partition}:logs:${region}:${account}:log-group:${names.glueLogGroupPrefix}*`,
        `arn:${names.partition}:logs:${region}:${account}:log-group:${names.glueLogGroupPrefix}*:*`,
      ],
    });
    this.role.addToPrincipalPolicy({
      // PutMetricData has no resource type; the namespace condition keeps it to Glue's metrics.
      Sid: 'JobMetrics',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
    });
    // Bookmarks (CSE-KMS) and log encryption call KMS directly, not through one service.
    props.encryptionKey.grantEncryptDecrypt([this.role], { sid: 'GlueSecurityConfiguration' });

    this.database = new GlueCatalogDatabase(this, 'Database', {
      name: names.glueDatabase,
      description: `xetl ${names.env.name}: tables the crawler finds in the products feed`,
    });
    this.role.addToPrincipalPolicy({
      Sid: 'CatalogDatabase',
      Effect: 'Allow',
      Action: [...GLUE_CATALOG_ACTIONS],
      Resource: [arn('catalog'), arn(`database/${names.glueDatabase}`), arn(`table/${names.glueDatabase}/*`)],
    });

    this.securityConfiguration = new GlueSecurityConfiguration(this, 'SecurityConfiguration', {
      name: names.glueSecurityConfiguration,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: props.encryptionKey.keyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: props.encryptionKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: props.encryptionKey.keyArn },
      },
    });

    this.crawler = new GlueCrawler(this, 'Crawler', {
      name: names.glueCrawler,
      description: 'Catalogs new partition folders of the products feed in account A',
      role: this.role.roleArn,
      databaseName: this.database.name,
      securityConfiguration: this.securityConfiguration.name,
      s3Target: [{ path: `${sourceUri}/`, exclusions: ['**/_*', '**/.*'] }],
      recrawlPolicy: { recrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      // New-folders-only mode requires both behaviours to be LOG.
      schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
    });

    const assets = `s3://${props.assetsBucket.bucketName}`;
    this.job = new GlueJob(this, 'Job', {
      name: names.glueJob,
      description: 'Validates, de-duplicates and curates one partition of the products feed (docs/data-contract.md)',
      roleArn: this.role.roleArn,
      glueVersion: '5.0',
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: `${assets}/${names.glueScriptKey}` },
      workerType: props.glue.workerType,
      numberOfWorkers: props.glue.numberOfWorkers,
      executionClass: props.glue.executionClass,
      timeout: props.glue.timeoutMinutes,
      maxRetries: props.glue.maxRetries,
      securityConfiguration: this.securityConfiguration.name,
      executionProperty: { maxConcurrentRuns: props.maxConcurrentRuns ?? 1 },
      defaultArguments: {
        '--job-language': 'python',
        '--extra-py-files': `${assets}/${names.glueLibraryKey}`,
        // The DAG names the partition of every run and the job replaces that partition whole, so a
        // rerun must see all of its files again; a bookmark would skip them and publish nothing.
        '--job-bookmark-option': 'job-bookmark-disable',
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--TempDir': `s3://${props.stagingBucket.bucketName}/${names.stagingGlueTempPrefix}`,
        '--source_uri': sourceUri,
        '--staging_uri': `s3://${props.stagingBucket.bucketName}`,
      },
    });
  }

  /** Lets a role of this stack start and watch the crawler and the job (as the DAG does). */
  grantRun(grantee: Grantee): void {
    const add = grantee.addToPrincipalPolicy?.bind(grantee);
    if (!add) throw new Error('grantRun needs a role of this stack');
    add({ Sid: 'RunCrawler', Effect: 'Allow', Action: [...GLUE_CRAWLER_RUN_ACTIONS], Resource: this.crawler.arn });
    add({
      // GetCrawlerMetrics supports no resource-level permission.
      Sid: 'CrawlerMetrics', Effect: 'Allow', Action: [...GLUE_CRAWLER_METRICS_ACTIONS], Resource: '*',
    });
    add({ Sid: 'RunJob', Effect: 'Allow', Action: [...GLUE_JOB_RUN_ACTIONS], Resource: this.job.arn });
  }
}
