/**
 * The security rules every synthesized xetl stack must pass, as a pure function over the stack's
 * Terraform JSON (what `cdk.tf.json` holds). `SecurityGuards` applies them at synth time; tests
 * and tools can apply them to any synthesized stack.
 */

export type GuardRule =
  | 'iam-wildcard-action'
  | 'iam-unscoped-data-action'
  | 'iam-managed-full-access'
  | 's3-tls-only'
  | 's3-cmk-encryption'
  | 's3-public-access-block'
  | 's3-ownership-enforced'
  | 'sg-open-to-world'
  | 'redshift-public'
  | 'mwaa-public'
  | 'logs-retention';

export interface Finding {
  readonly rule: GuardRule;
  /** Construct path of the offending resource, e.g. "xetl-dev-source/Source/Bucket". */
  readonly path: string;
  readonly message: string;
}

type Resource = Record<string, unknown> & { '//'?: { metadata?: { path?: string } } };
type StackJson = { resource?: Record<string, Record<string, Resource>> };
type Statement = { Effect?: string; Action?: string | string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, unknown>> };

const ACCOUNT_PINS = ['aws:PrincipalAccount', 'aws:ResourceAccount', 'aws:PrincipalOrgID'];

function pinsAccount(s: Statement): boolean {
  return Object.values(s.Condition ?? {}).some((byKey) => Object.keys(byKey).some((k) => ACCOUNT_PINS.includes(k)));
}

/** Actions that read or write data: granting them on `*` exposes every resource of the kind. */
const DATA_ACTIONS = new Set([
  's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetObjectVersion',
  'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
  'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue',
  'sqs:ReceiveMessage', 'sqs:SendMessage', 'sqs:DeleteMessage', 'sns:Publish',
  'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan',
  'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions', 'glue:CreateTable', 'glue:UpdateTable',
  'redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement',
  'redshift-serverless:GetCredentials', 'sts:AssumeRole',
]);

/**
 * Where each resource type keeps IAM policy JSON. Key policies name their key as `*`. VPC endpoint
 * policies are a second fence in front of identity policies: there `*` is acceptable when the
 * statement pins the calling or owning account.
 */
const POLICY_ATTRIBUTES: Record<string, { attrs: string[]; resourceStarMeansSelf?: boolean; accountPinnedStarAllowed?: boolean }> = {
  aws_iam_role: { attrs: ['assume_role_policy'] },
  aws_iam_role_policy: { attrs: ['policy'] },
  aws_iam_policy: { attrs: ['policy'] },
  aws_iam_user_policy: { attrs: ['policy'] },
  aws_iam_group_policy: { attrs: ['policy'] },
  aws_s3_bucket_policy: { attrs: ['policy'] },
  aws_kms_key: { attrs: ['policy'], resourceStarMeansSelf: true },
  aws_sns_topic_policy: { attrs: ['policy'] },
  aws_sns_topic: { attrs: ['policy'] },
  aws_sqs_queue_policy: { attrs: ['policy'] },
  aws_secretsmanager_secret_policy: { attrs: ['policy'] },
  aws_secretsmanager_secret: { attrs: ['policy'] },
  aws_vpc_endpoint: { attrs: ['policy'], accountPinnedStarAllowed: true },
  aws_cloudwatch_event_bus_policy: { attrs: ['policy'] },
};

const FULL_ACCESS_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/(.*FullAccess.*|AdministratorAccess|PowerUserAccess|.*ReadWrite.*)$/;

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function pathOf(type: string, name: string, r: Resource): string {
  return r['//']?.metadata?.path ?? `${type}.${name}`;
}

function* resources(json: StackJson, type: string): Generator<[string, Resource]> {
  for (const [name, r] of Object.entries(json.resource?.[type] ?? {})) yield [name, r];
}

function parsePolicy(text: unknown): Statement[] | undefined {
  if (typeof text !== 'string' || !text.trim().startsWith('{')) return undefined;
  try {
    return list(JSON.parse(text).Statement as Statement | Statement[]);
  } catch {
    return undefined;
  }
}

function iamFindings(json: StackJson, out: Finding[]): void {
  for (const [type, spec] of Object.entries(POLICY_ATTRIBUTES)) {
    for (const [name, r] of resources(json, type)) {
      for (const attr of spec.attrs) {
        const statements = parsePolicy(r[attr]);
        if (!statements) continue;
        for (const s of statements.filter((st) => st.Effect === 'Allow')) {
          const actions = list(s.Action);
          const wild = actions.filter((a) => a.includes('*'));
          if (wild.length) {
            out.push({ rule: 'iam-wildcard-action', path: pathOf(type, name, r), message: `${attr} allows wildcard action(s) ${wild.join(', ')}; name each action` });
          }
          const resourcesOfStatement = list(s.Resource);
          const unscoped = resourcesOfStatement.length === 0 || resourcesOfStatement.includes('*');
          const data = actions.filter((a) => DATA_ACTIONS.has(a));
          const accepted = spec.resourceStarMeansSelf || (spec.accountPinnedStarAllowed && pinsAccount(s));
          if (unscoped && data.length && !accepted && attr !== 'assume_role_policy') {
            out.push({ rule: 'iam-unscoped-data-action', path: pathOf(type, name, r), message: `${attr} allows data action(s) ${data.join(', ')} on every resource; name the resources` });
          }
        }
      }
    }
  }
  const attachments: Array<[string, string, Resource, unknown]> = [];
  for (const t of ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment', 'aws_iam_policy_attachment']) {
    for (const [name, r] of resources(json, t)) attachments.push([t, name, r, r.policy_arn]);
  }
  for (const [name, r] of resources(json, 'aws_iam_role')) {
    for (const arn of list(r.managed_policy_arns as string[] | undefined)) attachments.push(['aws_iam_role', name, r, arn]);
  }
  for (const [type, name, r, arn] of attachments) {
    if (typeof arn === 'string' && FULL_ACCESS_POLICY.test(arn)) {
      out.push({ rule: 'iam-managed-full-access', path: pathOf(type, name, r), message: `attaches the AWS-managed policy ${arn}; grant scoped permissions instead` });
    }
  }
}

/** Sub-resources refer to their bucket by `${aws_s3_bucket.<id>.id|bucket}` or by its literal name. */
function bucketMatcher(name: string, bucket: Resource): (ref: unknown) => boolean {
  const refs = [`\${aws_s3_bucket.${name}.id}`, `\${aws_s3_bucket.${name}.bucket}`, bucket.bucket];
  return (ref) => refs.includes(ref as string);
}

function s3Findings(json: StackJson, out: Finding[], exemptions: ReadonlyMap<string, ReadonlySet<GuardRule>>): void {
  for (const [name, bucket] of resources(json, 'aws_s3_bucket')) {
    const path = pathOf('aws_s3_bucket', name, bucket);
    const exempt = (rule: GuardRule) => [...exemptions].some(([prefix, rules]) => path.startsWith(prefix) && rules.has(rule));
    const isMine = bucketMatcher(name, bucket);
    const mine = (type: string) => [...resources(json, type)].map(([, r]) => r).filter((r) => isMine(r.bucket));

    const tlsDenied = mine('aws_s3_bucket_policy').some((p) =>
      (parsePolicy(p.policy) ?? []).some((s) => s.Effect === 'Deny' && JSON.stringify(s).includes('"aws:SecureTransport":"false"')));
    if (!tlsDenied && !exempt('s3-tls-only')) out.push({ rule: 's3-tls-only', path, message: 'bucket has no policy denying requests without TLS (aws:SecureTransport=false)' });

    const kms = mine('aws_s3_bucket_server_side_encryption_configuration').some((c) => JSON.stringify(c.rule).includes('"sse_algorithm":"aws:kms'));
    if (!kms && !exempt('s3-cmk-encryption')) out.push({ rule: 's3-cmk-encryption', path, message: 'bucket is not encrypted by default with a customer-managed KMS key' });

    const blocked = mine('aws_s3_bucket_public_access_block').some((p) =>
      p.block_public_acls === true && p.block_public_policy === true && p.ignore_public_acls === true && p.restrict_public_buckets === true);
    if (!blocked && !exempt('s3-public-access-block')) out.push({ rule: 's3-public-access-block', path, message: 'bucket does not block all public access (all four settings true)' });

    const enforced = mine('aws_s3_bucket_ownership_controls').some((o) => JSON.stringify(o.rule).includes('BucketOwnerEnforced'));
    if (!enforced && !exempt('s3-ownership-enforced')) out.push({ rule: 's3-ownership-enforced', path, message: 'bucket does not enforce bucket-owner ownership (ACLs stay enabled)' });
  }
}

const WORLD = ['0.0.0.0/0', '::/0'];

function networkAndServiceFindings(json: StackJson, out: Finding[]): void {
  for (const [name, sg] of resources(json, 'aws_security_group')) {
    for (const dir of ['ingress', 'egress']) {
      for (const rule of list(sg[dir] as Array<Record<string, unknown>> | undefined)) {
        const cidrs = [...list(rule.cidr_blocks as string[] | undefined), ...list(rule.ipv6_cidr_blocks as string[] | undefined)];
        if (cidrs.some((c) => WORLD.includes(c))) out.push({ rule: 'sg-open-to-world', path: pathOf('aws_security_group', name, sg), message: `${dir} rule open to ${cidrs.join(', ')}` });
      }
    }
  }
  for (const type of ['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule']) {
    for (const [name, r] of resources(json, type)) {
      const cidrs = [...list(r.cidr_blocks as string[] | undefined), ...list(r.ipv6_cidr_blocks as string[] | undefined), r.cidr_ipv4, r.cidr_ipv6];
      if (cidrs.some((c) => WORLD.includes(c as string))) out.push({ rule: 'sg-open-to-world', path: pathOf(type, name, r), message: 'rule open to the whole internet' });
    }
  }
  for (const type of ['aws_redshiftserverless_workgroup', 'aws_redshift_cluster']) {
    for (const [name, r] of resources(json, type)) {
      if (r.publicly_accessible !== false) out.push({ rule: 'redshift-public', path: pathOf(type, name, r), message: 'publicly_accessible must be set to false' });
    }
  }
  for (const [name, r] of resources(json, 'aws_mwaa_environment')) {
    if (r.webserver_access_mode !== 'PRIVATE_ONLY') out.push({ rule: 'mwaa-public', path: pathOf('aws_mwaa_environment', name, r), message: 'webserver_access_mode must be PRIVATE_ONLY' });
  }
  for (const [name, r] of resources(json, 'aws_cloudwatch_log_group')) {
    if (!r.retention_in_days) out.push({ rule: 'logs-retention', path: pathOf('aws_cloudwatch_log_group', name, r), message: 'log group keeps logs forever; set retention_in_days' });
  }
}

/**
 * Every finding for one stack. `exemptions` maps a construct path prefix to rules it is exempt
 * from, each exemption declared (with its reason) by the construct itself.
 */
export function securityFindings(json: StackJson, exemptions: ReadonlyMap<string, ReadonlySet<GuardRule>> = new Map()): Finding[] {
  const out: Finding[] = [];
  iamFindings(json, out);
  s3Findings(json, out, exemptions);
  networkAndServiceFindings(json, out);
  return out;
}
