export * from './service-log-groups';
