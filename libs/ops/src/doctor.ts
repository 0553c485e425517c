import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListSecretsCommand, type SecretListEntry } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { AwsClients } from './clients';
import type { OpsContext } from './context';
import { XetlError, awsErrorKind, usageError } from './errors';
import { requireAccount } from './identity';

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN';
export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}
export interface DoctorReport {
  readonly environment: string;
  readonly caller: string | null;
  readonly checks: readonly Check[];
}
export interface DoctorOptions {
  /** Role to assume first: a full ARN or one of xetl's roles by short name (unload, glue, mwaa, redshift). */
  readonly role?: string;
}

/** xetl's roles by the short names `--role` accepts; every ARN comes from Naming. */
export function knownRoles(ctx: OpsContext): Record<string, string> {
  const n = ctx.names;
  return { unload: n.unloadRoleArn, glue: n.glueRoleArn, mwaa: n.mwaaRoleArn, redshift: n.redshiftRoleArn };
}

export function resolveRole(ctx: OpsContext, role: string): string {
  if (role.startsWith('arn:')) return role;
  const roles = knownRoles(ctx);
  if (roles[role]) return roles[role];
  throw usageError(`unknown role "${role}"; give a role ARN or one of: ${Object.keys(roles).join(', ')}`);
}

function errorText(err: unknown): string {
  return `${(err as { name?: string }).name ?? 'Error'}: ${((err as Error).message ?? String(err)).split('\n')[0]}`;
}

/**
 * Probes the cross-account path with the caller's credentials (or a role it assumes), one check
 * per hop. A denied call names the action and the resource that must allow it; values of secrets
 * are never read, only their names.
 */
export async function doctor(ctx: OpsContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const { names } = ctx;
  const checks: Check[] = [];
  let clients = ctx.clients;
  let caller: string | undefined;
  const who = () => (caller ? ` to ${caller}` : ' to the caller');
  const denied = (action: string, resource: string, extra = '') =>
    `missing grant: ${action} on ${resource}${who()}${extra}`;

  // Identity first, and only once: without credentials, or in an account that is neither A nor
  // B, every other probe would fail the same way and advise the wrong fix.
  try {
    const id = await requireAccount(ctx, 'either');
    caller = id.arn;
    const side = id.account === names.accountId('source') ? 'source, A' : 'analytics, B';
    const both = names.accountId('source') === names.accountId('analytics') ? 'source and analytics' : side;
    checks.push({ name: 'identity', status: 'PASS', detail: `caller ${id.arn} (account ${id.account}: ${both}; credentials from ${id.source})` });
  } catch (err) {
    if (!(err instanceof XetlError)) throw err;
    checks.push({ name: 'identity', status: 'FAIL', detail: err.message });
    return { environment: ctx.env.name, caller: null, checks };
  }

  if (options.role) {
    const arn = resolveRole(ctx, options.role);
    try {
      const out = await clients.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'xetl-doctor', DurationSeconds: 900 }));
      const c = out.Credentials!;
      clients = new AwsClients({
        ...ctx.clients.options,
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
      });
      checks.push({ name: 'assume-role', status: 'PASS', detail: `assumed ${arn}; the checks below run as ${out.AssumedRoleUser?.Arn ?? arn}` });
      caller = out.AssumedRoleUser?.Arn ?? arn;
    } catch (err) {
      checks.push({
        name: 'assume-role', status: 'FAIL',
        detail: awsErrorKind(err) === 'access-denied' || awsErrorKind(err) === 'not-found'
          ? `${denied('sts:AssumeRole', arn)}, and the trust policy of ${arn} must name the caller; the checks below use the caller's own credentials`
          : `sts:AssumeRole on ${arn} failed: ${errorText(err)}; the checks below use the caller's own credentials`,
      });
    }
  }

  const bucket = names.sourceBucket;
  const prefix = `${names.productsPrefix}/`;
  try {
    const out = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 5 }));
    const n = out.KeyCount ?? out.Contents?.length ?? 0;
    checks.push(n > 0
      ? { name: 'source-prefix', status: 'PASS', detail: `listed s3://${bucket}/${prefix} (${n}${out.IsTruncated ? '+' : ''} objects)` }
      : { name: 'source-prefix', status: 'WARN', detail: `s3://${bucket}/${prefix} is listable but empty; drop a day with xetl drop` });
  } catch (err) {
    const kind = awsErrorKind(err);
    const detail = (err as { name?: string }).name === 'NoSuchBucket'
      ? `bucket ${bucket} does not exist; deploy ${names.stackName('source')}`
      : kind === 'access-denied'
        ? denied('s3:ListBucket', `${names.bucketArn(bucket)} (s3:prefix ${prefix}*)`, `; account A's bucket policy must allow it too`)
        : `s3:ListBucket on ${names.bucketArn(bucket)} failed: ${errorText(err)}`;
    checks.push({ name: 'source-prefix', status: 'FAIL', detail });
  }

  const alias = names.dataKeyAliasArn;
  try {
    const key = (await clients.kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata;
    checks.push(key?.Enabled
      ? { name: 'data-key', status: 'PASS', detail: `${names.dataKeyAlias} -> ${key.Arn} (${key.KeyState})` }
      : { name: 'data-key', status: 'FAIL', detail: `${names.dataKeyAlias} -> ${key?.Arn} is ${key?.KeyState}; enable the key in account A` });
  } catch (err) {
    const kind = awsErrorKind(err);
    const detail = kind === 'not-found'
      ? `key alias ${names.dataKeyAlias} not found (${alias}); deploy ${names.stackName('source')}`
      : kind === 'access-denied'
        ? denied('kms:DescribeKey', alias, `; account A's key policy must admit the caller`)
        : `kms:DescribeKey on ${alias} failed: ${errorText(err)}`;
    checks.push({ name: 'data-key', status: 'FAIL', detail });
  }

  const secretsPrefix = `${ctx.env.airflow.secretsPrefix}/`;
  try {
    const found: SecretListEntry[] = [];
    let token: string | undefined;
    do {
      const out = await clients.secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [secretsPrefix] }], NextToken: token }));
      found.push(...(out.SecretList ?? []));
      token = out.NextToken;
    } while (token);
    const secretNames = found.map((s) => s.Name as string).filter((n) => n.startsWith(secretsPrefix)).sort();
    checks.push(secretNames.includes(names.pipelineVariableSecret)
      ? { name: 'airflow-secrets', status: 'PASS', detail: `${secretNames.length} secret(s) under ${secretsPrefix}: ${secretNames.join(', ')}` }
      : { name: 'airflow-secrets', status: 'FAIL', detail: `secret ${names.pipelineVariableSecret} not found under ${secretsPrefix} (found: ${secretNames.join(', ') || 'none'}); deploy ${names.stackName('analytics')}` });
  } catch (err) {
    checks.push({
      name: 'airflow-secrets', status: 'FAIL',
      detail: awsErrorKind(err) === 'access-denied'
        ? denied('secretsmanager:ListSecrets', '*', ' (ListSecrets takes no resource ARN)')
        : `secretsmanager:ListSecrets failed: ${errorText(err)}`,
    });
  }
  return { environment: ctx.env.name, caller: caller ?? null, checks };
}

export function doctorPassed(r: DoctorReport): boolean {
  return r.checks.every((c) => c.status !== 'FAIL');
}

export function renderDoctor(r: DoctorReport): string[] {
  const width = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`);
  const count = (s: CheckStatus) => r.checks.filter((c) => c.status === s).length;
  lines.push(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('WARN')} warning(s)`);
  return lines;
}
