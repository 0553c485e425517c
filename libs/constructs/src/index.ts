export * from './iam';
export * from './storage';
