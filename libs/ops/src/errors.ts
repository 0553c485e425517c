/**
 * Exit codes of every xetl command, so scripts can tell a typo from a missing grant.
 * - 0 ok
 * - 1 unexpected (a bug, a network failure, an AWS error we do not map)
 * - 2 usage or config (unknown flag, unknown environment, bad date)
 * - 3 refused input (empty or non-CSV file, existing object without --replace, duplicate run)
 * - 4 AWS permission or missing resource (AccessDenied, no such bucket/secret/workgroup)
 */
export const EXIT = { ok: 0, unexpected: 1, usage: 2, refused: 3, aws: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is one line meant for the operator, with the fix in it. */
export class XetlError extends Error {
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
    this.name = 'XetlError';
  }
}

export const usageError = (message: string) => new XetlError(message, EXIT.usage);
export const refused = (message: string) => new XetlError(message, EXIT.refused);

const ACCESS_DENIED = new Set([
  'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException',
  'AuthorizationError', 'Forbidden', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException',
]);
const NOT_FOUND = new Set([
  'NoSuchBucket', 'NotFound', 'NoSuchKey', 'ResourceNotFoundException', 'NotFoundException',
  'EntityNotFoundException', 'NoSuchEntity', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue',
]);
const NO_CREDENTIALS = new Set(['CredentialsProviderError']);

export type AwsErrorKind = 'access-denied' | 'not-found' | 'no-credentials' | 'unreachable' | 'not-aws' | 'other';

/** Classifies an SDK error without depending on one service's exception classes. */
export function awsErrorKind(err: unknown): AwsErrorKind {
  const e = err as { name?: string; Code?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = e?.name ?? e?.Code ?? '';
  if (ACCESS_DENIED.has(name) || e?.$metadata?.httpStatusCode === 403) return 'access-denied';
  if (NOT_FOUND.has(name) || e?.$metadata?.httpStatusCode === 404) return 'not-found';
  if (NO_CREDENTIALS.has(name)) return 'no-credentials';
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT') return 'unreachable';
  // An emulator without the service answers with an HTML page the SDK cannot parse.
  if (err instanceof SyntaxError || /is not valid JSON|Deserialization error|Unexpected token/.test((err as Error)?.message ?? '')) return 'not-aws';
  return 'other';
}

function firstLine(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.split('\n')[0];
}

/**
 * Turns an SDK error into one operator line naming the IAM action and resource involved.
 * `missing` describes what "not found" means for this call (e.g. "deploy the source stack").
 */
export function explainAwsError(err: unknown, action: string, resource: string, missing?: string): XetlError {
  if (err instanceof XetlError) return err;
  switch (awsErrorKind(err)) {
    case 'access-denied':
      return new XetlError(`access denied: ${action} on ${resource}; grant ${action} on ${resource} to the caller (or check the resource policy)`, EXIT.aws);
    case 'not-found':
      return new XetlError(`not found: ${resource} (${action}); ${missing ?? 'check that the stack that owns it is deployed'}`, EXIT.aws);
    case 'no-credentials':
      return new XetlError('no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or log in with aws sso login)', EXIT.aws);
    case 'unreachable':
      return new XetlError(`cannot reach the AWS endpoint for ${action}: ${firstLine(err)}; check --endpoint-url / XETL_AWS_ENDPOINT_URL and your network`, EXIT.unexpected);
    case 'not-aws':
      return new XetlError(`${action}: the endpoint did not answer like AWS (not JSON/XML); if --endpoint-url points at an emulator, it does not emulate this service (moto has no Redshift Serverless or MWAA)`, EXIT.aws);
    default:
      return new XetlError(`${action} on ${resource} failed: ${firstLine(err)}`, EXIT.unexpected);
  }
}
