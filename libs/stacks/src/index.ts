export * from './xetl-stack';
export * from './source-account-stack';
export * from './analytics-account-stack';
export * from './bootstrap-stack';
export * from './compose';
