import { Construct } from 'constructs';
import { GlueDataCatalogEncryptionSettings } from '@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { ServiceLogGroups } from '../logs/service-log-groups';
import type { GlueSecurityConfigProps } from './security-configuration-props';

/**
 * A Glue security configuration that encrypts everything Glue writes with the customer-managed key:
 * S3 output (SSE-KMS), CloudWatch logs and job bookmarks (CSE-KMS); and, for the environment that
 * owns the account's settings, the Data Catalog (metadata and connection passwords). The role uses
 * the key only through S3 and Glue: CloudWatch Logs encrypts with its own grant on the key (the
 * stack's), and the job runs without bookmarks (`job-bookmark-disable`), so nothing calls KMS
 * directly.
 *
 * @example
 * const security = new GlueSecurityConfig(this, 'GlueSecurity', { names, encryptionKey: key, role });
 * security.name; // for crawlers and jobs
 */
export class GlueSecurityConfig extends Construct {
  readonly configuration: GlueSecurityConfiguration;
  readonly name: string;
  /** The log groups Glue writes under this configuration; crawlers and jobs are created after them. */
  readonly logGroups: ServiceLogGroups;

  constructor(scope: Construct, id: string, props: GlueSecurityConfigProps) {
    super(scope, id);
    const keyArn = props.encryptionKey.keyArn;
    this.configuration = new GlueSecurityConfiguration(this, 'SecurityConfiguration', {
      name: props.names.glueSecurityConfiguration,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: keyArn },
      },
    });
    this.name = this.configuration.name;
    const region = props.names.env.region;
    props.encryptionKey.grantEncryptDecrypt([props.role], {
      sid: 'GlueSecurityConfiguration', viaService: [`glue.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`],
    });
    const groups = props.names.glueLogGroups;
    this.logGroups = new ServiceLogGroups(this, 'Logs', {
      logGroupNames: [groups.crawler, groups.jobOutput, groups.jobError, groups.jobContinuous],
      retentionDays: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });
    if (props.names.env.ownsAccountSettings) {
      // One per account and region: the environment owning the account's settings manages it.
      new GlueDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: keyArn },
          connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: keyArn },
        },
      });
    }
  }
}
