import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DataKey } from '../storage/data-key';
import { SecureBucket } from '../storage/secure-bucket';
import type { TerraformStateBackendProps } from './terraform-state-backend-props';

/**
 * What the stacks' S3 backends point at, in one account: a state bucket (versioned, KMS-encrypted
 * with its own key, TLS-only, no public access, access-logged; `SecureBucket`) and a DynamoDB lock
 * table (`LockID` hash key, point-in-time recovery, encrypted with the same key). Both are always
 * protected: `prevent_destroy`, deletion protection on the table, no force-destroy on the bucket,
 * with no switch to turn that off (they hold the state of every environment of the account, so no
 * one environment's `allowDestroyData` may decide). Names come from the config, so the backends and
 * this construct agree by construction. Either part can be left to another environment that shares
 * the account.
 *
 * @example
 * new TerraformStateBackend(this, 'State', { bucketName: state.bucket, lockTableName: state.dynamodbTable, ... });
 */
export class TerraformStateBackend extends Construct {
  readonly key?: DataKey;
  readonly bucket?: SecureBucket;
  readonly lockTable?: DynamodbTable;

  constructor(scope: Construct, id: string, props: TerraformStateBackendProps) {
    super(scope, id);
    const createBucket = props.createBucket ?? true;
    const createLockTable = props.createLockTable ?? true;
    if (!createBucket && !createLockTable) return;

    this.key = new DataKey(this, 'Key', {
      alias: createBucket ? props.keyAlias : `${props.keyAlias}-lock`,
      description: `Terraform state: bucket ${props.bucketName} and lock table ${props.lockTableName}`,
      accountId: props.accountId,
      partition: props.partition,
      deletionWindowDays: 30,
    });
    if (createBucket) {
      if (!props.accessLogs) throw new Error(`state bucket ${props.bucketName}: pass accessLogs (an AccessLogBucket) when creating the bucket`);
      this.bucket = new SecureBucket(this, 'Bucket', {
        bucketName: props.bucketName,
        region: props.region,
        encryptionKey: this.key,
        accessLogs: props.accessLogs,
        noncurrentVersionDays: props.noncurrentVersionDays ?? 90,
        allowDestroy: false,
      });
    }
    if (createLockTable) {
      this.lockTable = new DynamodbTable(this, 'LockTable', {
        name: props.lockTableName,
        billingMode: 'PAY_PER_REQUEST',
        hashKey: 'LockID',
        attribute: [{ name: 'LockID', type: 'S' }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: this.key.keyArn },
        deletionProtectionEnabled: true,
        lifecycle: { preventDestroy: true },
      });
    }
  }
}
