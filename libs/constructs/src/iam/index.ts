export * from './actions';
export * from './grantee';
export * from './policy';
export * from './scoped-role';
export * from './scoped-role-props';
export * from './unload-role';
export * from './unload-role-props';
