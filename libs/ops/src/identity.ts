import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountSide } from '@xetl/config';
import type { AwsClients } from './clients';
import type { OpsContext } from './context';
import { EXIT, XetlError, awsErrorKind } from './errors';

/** Who the credentials belong to, resolved once per invocation. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  /** Where the credentials came from, in words ("profile \"ops\" (from --profile)"). */
  readonly source: string;
}

/** Which account a command must run in: one side's, either side's, or none (no AWS call). */
export type AccountRequirement = AccountSide | 'either';

/** Profiles named in the shared config and credentials files, as the AWS CLI reads them. */
export function sharedProfiles(env: NodeJS.ProcessEnv = process.env): { files: string[]; profiles: Set<string> } {
  const home = env.HOME || os.homedir();
  const config = env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config');
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials');
  const profiles = new Set<string>();
  for (const [file, isConfig] of [[config, true], [credentials, false]] as const) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
      const section = m[1];
      if (!isConfig) profiles.add(section);
      else if (section === 'default') profiles.add('default');
      else if (section.startsWith('profile ')) profiles.add(section.slice('profile '.length).trim());
    }
  }
  return { files: [config, credentials], profiles };
}

const tilde = (file: string, env: NodeJS.ProcessEnv) => {
  const home = env.HOME || os.homedir();
  return file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
};

/**
 * Where the SDK's default chain takes credentials from, given `--profile` and the environment,
 * in the chain's own order: an explicit profile, AWS_PROFILE, then AWS_ACCESS_KEY_ID, then the rest.
 */
export function credentialSource(profile: string | undefined, env: NodeJS.ProcessEnv = process.env): { profile?: string; words: string } {
  if (profile) return { profile, words: `profile "${profile}" (from --profile)` };
  if (env.AWS_PROFILE) return { profile: env.AWS_PROFILE, words: `profile "${env.AWS_PROFILE}" (from AWS_PROFILE)` };
  if (env.AWS_ACCESS_KEY_ID) return { words: 'the environment (AWS_ACCESS_KEY_ID)' };
  return { words: 'the default chain' };
}

/** One line for credentials that could not be loaded, naming what was tried and the fix. */
export function noCredentialsMessage(profile: string | undefined, sdkMessage: string, env: NodeJS.ProcessEnv = process.env): string {
  const source = credentialSource(profile, env);
  const { files, profiles } = sharedProfiles(env);
  const where = files.map((f) => tilde(f, env)).join(' and ');
  if (source.profile) {
    if (!profiles.has(source.profile)) {
      const known = [...profiles].sort().join(', ') || 'none';
      return `no AWS credentials: ${source.words} is not in ${where} (profiles there: ${known}); fix the name, or create it with: aws configure --profile ${source.profile}`;
    }
    return `no AWS credentials from ${source.words} in ${where}: ${sdkMessage}; if it signs in with SSO, run: aws sso login --profile ${source.profile}`;
  }
  if (env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY) {
    return 'no AWS credentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset them and pass --profile <name>';
  }
  const defaultThere = profiles.has('default') ? 'present but gave none' : 'not there';
  return `no AWS credentials found: tried the environment (AWS_ACCESS_KEY_ID not set), profile "default" in ${where} (${defaultThere}), SSO, web identity and the container or instance role; pass --profile <name>, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
}

const REJECTED = new Set([
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException',
  'InvalidAccessKeyId', 'AuthFailure', 'TokenRefreshRequired',
]);

const pending = new WeakMap<AwsClients, Promise<CallerIdentity>>();

/**
 * The caller behind the context's credentials (`sts:GetCallerIdentity`), resolved once per set of
 * clients however many commands or checks ask. Failing credentials become one line that names
 * the source tried (profile and where it came from, or the environment) and the fix.
 */
export function callerIdentity(ctx: OpsContext): Promise<CallerIdentity> {
  const clients = ctx.clients;
  let p = pending.get(clients);
  if (!p) {
    const { profile } = clients.options;
    const source = credentialSource(profile).words;
    p = clients.sts.send(new GetCallerIdentityCommand({})).then(
      (id) => ({ account: id.Account as string, arn: id.Arn as string, source }),
      (err: unknown) => {
        const e = err as { name?: string; message?: string };
        const message = (e?.message ?? String(err)).split('\n')[0];
        if (awsErrorKind(err) === 'no-credentials') throw new XetlError(noCredentialsMessage(profile, message), EXIT.aws);
        if (REJECTED.has(e?.name ?? '')) {
          throw new XetlError(`the credentials from ${source} were rejected by AWS STS (${e.name}: ${message}); refresh them (new keys, or aws sso login) or pick others with --profile`, EXIT.aws);
        }
        if (awsErrorKind(err) === 'unreachable') {
          throw new XetlError(`cannot reach AWS STS to check who you are: ${message}; check --endpoint-url / XETL_AWS_ENDPOINT_URL, --region and your network`, EXIT.unexpected);
        }
        throw new XetlError(`sts:GetCallerIdentity failed with credentials from ${source}: ${e?.name ?? 'Error'}: ${message}`, EXIT.aws);
      },
    );
    pending.set(clients, p);
  }
  return p;
}

/**
 * Stops before anything is changed when the caller is not in the account the command works in:
 * one line naming the caller's account and the config's. `either` admits account A or B.
 */
export async function requireAccount(ctx: OpsContext, side: AccountRequirement): Promise<CallerIdentity> {
  const caller = await callerIdentity(ctx);
  const { names, env } = ctx;
  const a = names.accountId('source');
  const b = names.accountId('analytics');
  const allowed = side === 'either' ? [a, b] : [names.accountId(side)];
  if (allowed.includes(caller.account)) return caller;
  const wanted = side === 'either'
    ? `environment ${env.name} runs in accounts ${a} (source, A) and ${b} (analytics, B)`
    : `environment ${env.name}'s ${side} stack (account ${side === 'source' ? 'A' : 'B'}) is in account ${names.accountId(side)}`;
  const use = side === 'either' ? `${a} or ${b}` : names.accountId(side);
  throw new XetlError(
    `wrong account: the credentials from ${caller.source} are for account ${caller.account} (${caller.arn}), but ${wanted}; nothing was changed; use credentials for ${use} (--profile or AWS_PROFILE)`,
    EXIT.aws,
  );
}
