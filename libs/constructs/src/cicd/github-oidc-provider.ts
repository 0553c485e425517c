import { Construct } from 'constructs';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import type { GithubOidcProviderProps } from './github-oidc-provider-props';

/**
 * The IAM identity provider for GitHub Actions' OIDC tokens. One per account: environments that
 * share an account share it (the first one's bootstrap stack creates it). No thumbprint: IAM
 * validates GitHub's certificate against its own trusted CAs for this issuer.
 */
export class GithubOidcProvider extends Construct {
  readonly provider: IamOpenidConnectProvider;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, 'Provider', {
      url: `https://${props.host ?? 'token.actions.githubusercontent.com'}`,
      clientIdList: [props.audience ?? 'sts.amazonaws.com'],
    });
    this.arn = this.provider.arn;
  }
}
