/**
 * Action lists, sorted, in one place: every grant in xetl picks from these, so a reviewer reads
 * each permission once. No list contains a wildcard.
 */
export const S3_READ_OBJECT_ACTIONS = ['s3:GetObject'] as const;
/** Bucket-level reads; ListBucket is narrowed by `s3:prefix`, which GetBucketLocation does not carry. */
export const S3_LIST_ACTIONS = ['s3:ListBucket'] as const;
export const S3_BUCKET_LOCATION_ACTIONS = ['s3:GetBucketLocation'] as const;
/** Writes and replaces objects under a prefix (UNLOAD's CLEANPATH deletes before writing). */
export const S3_WRITE_OBJECT_ACTIONS = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'] as const;
export const S3_OBJECT_WRITE_DENY_ACTIONS = ['s3:DeleteObject', 's3:PutObject'] as const;

export const KMS_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const KMS_ENCRYPT_DECRYPT_ACTIONS = [
  'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
] as const;

/**
 * What the key's own account may do with the key. Listed instead of `kms:*` so that no
 * statement anywhere carries a wildcard; it still lets the account's IAM policies manage and
 * use the key, which keeps the key recoverable.
 */
export const KMS_ACCOUNT_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:CreateGrant', 'kms:Decrypt', 'kms:DeleteAlias',
  'kms:DescribeKey', 'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation',
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies',
  'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:RetireGrant',
  'kms:RevokeGrant', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

export const STS_ASSUME_ROLE_ACTIONS = ['sts:AssumeRole'] as const;
