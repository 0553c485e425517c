export * from './cicd-actions';
export * from './cicd-permissions';
export * from './terraform-state-backend';
export * from './terraform-state-backend-props';
export * from './github-oidc-provider';
export * from './github-oidc-provider-props';
export * from './github-actions-role';
export * from './github-actions-role-props';
