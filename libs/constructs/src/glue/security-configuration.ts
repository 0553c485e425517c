import { Construct } from 'constructs';
import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import type { GlueSecurityConfigProps } from './security-configuration-props';

/**
 * A Glue security configuration that encrypts everything Glue writes with the customer-managed key:
 * S3 output (SSE-KMS), CloudWatch logs and job bookmarks (CSE-KMS). Bookmarks and log encryption call
 * KMS directly, not through one service, so the role is granted the key without a via-service condition.
 *
 * @example
 * const security = new GlueSecurityConfig(this, 'GlueSecurity', { names, encryptionKey: key, role });
 * security.name; // for crawlers and jobs
 */
export class GlueSecurityConfig extends Construct {
  readonly configuration: GlueSecurityConfiguration;
  readonly name: string;

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
    props.encryptionKey.grantEncryptDecrypt([props.role], { sid: 'GlueSecurityConfiguration' });
  }
}
