export interface GithubOidcProviderProps {
  /** @default "token.actions.githubusercontent.com" */
  readonly host?: string;
  /** @default "sts.amazonaws.com" — what aws-actions/configure-aws-credentials asks for */
  readonly audience?: string;
}
