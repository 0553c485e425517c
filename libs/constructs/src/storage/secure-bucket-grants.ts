import { S3_BUCKET_LOCATION_ACTIONS, S3_LIST_ACTIONS, S3_OBJECT_WRITE_DENY_ACTIONS, S3_READ_OBJECT_ACTIONS, S3_WRITE_OBJECT_ACTIONS } from '../iam/actions';
import { Grantee, principalFor } from '../iam/grantee';
import type { PolicyStatement } from '../iam/policy';

/** A prefix such as "products/" as the object-ARN pattern and the `s3:prefix` values it covers. */
export function prefixScope(bucketArn: string, prefix: string): { objects: string; listPrefixes: string[] } {
  const clean = prefix.replace(/^\/+/, '').replace(/\/*$/, '/');
  return { objects: `${bucketArn}/${clean}*`, listPrefixes: [clean, `${clean}*`] };
}

/**
 * Resource-policy statements that admit exactly `grantees` to locate the bucket, list `prefix`
 * and apply `objectActions` to the objects under it.
 */
function prefixStatements(
  bucketArn: string, prefix: string, grantees: readonly Grantee[], sid: string, objectSid: string, objectActions: readonly string[],
): PolicyStatement[] {
  const { objects, listPrefixes } = prefixScope(bucketArn, prefix);
  const { Principal, Condition } = principalFor(grantees);
  return [
    { Sid: `${sid}Locate`, Effect: 'Allow', Principal, Action: [...S3_BUCKET_LOCATION_ACTIONS], Resource: bucketArn, Condition },
    { Sid: `${sid}List`, Effect: 'Allow', Principal, Action: [...S3_LIST_ACTIONS], Resource: bucketArn,
      Condition: { ...Condition, StringLike: { 's3:prefix': listPrefixes } } },
    { Sid: `${sid}${objectSid}`, Effect: 'Allow', Principal, Action: [...objectActions], Resource: objects, Condition },
  ];
}

/** Resource-policy statements that let exactly `grantees` list and read objects under `prefix`. */
export function readStatements(bucketArn: string, prefix: string, grantees: readonly Grantee[], sid: string): PolicyStatement[] {
  return prefixStatements(bucketArn, prefix, grantees, sid, 'Read', S3_READ_OBJECT_ACTIONS);
}

/** Resource-policy statements that let exactly `grantees` write and replace objects under `prefix`. */
export function writeStatements(bucketArn: string, prefix: string, grantees: readonly Grantee[], sid: string): PolicyStatement[] {
  return prefixStatements(bucketArn, prefix, grantees, sid, 'Write', S3_WRITE_OBJECT_ACTIONS);
}

/** Identity-policy statements for a role of the same stack (no principal, same scope). */
export function identityStatements(bucketArn: string, prefix: string, write: boolean): PolicyStatement[] {
  const { objects, listPrefixes } = prefixScope(bucketArn, prefix);
  return [
    { Effect: 'Allow', Action: [...S3_BUCKET_LOCATION_ACTIONS], Resource: bucketArn },
    { Effect: 'Allow', Action: [...S3_LIST_ACTIONS], Resource: bucketArn, Condition: { StringLike: { 's3:prefix': listPrefixes } } },
    { Effect: 'Allow', Action: write ? [...S3_WRITE_OBJECT_ACTIONS] : [...S3_READ_OBJECT_ACTIONS], Resource: objects },
  ];
}

/** Denies object writes under `prefix` to everyone but `writers`, whatever their IAM policies say. */
export function denyOtherWritersStatement(bucketArn: string, prefix: string, writers: readonly Grantee[], sid: string): PolicyStatement {
  const { objects } = prefixScope(bucketArn, prefix);
  const roles = [...new Set(writers.map((w) => w.roleArn))].sort();
  return {
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: [...S3_OBJECT_WRITE_DENY_ACTIONS],
    Resource: objects,
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': roles.length === 1 ? roles[0] : roles } },
  };
}
