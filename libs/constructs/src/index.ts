export * from './iam';
export * from './storage';
export * from './network';
export * from './warehouse';
export * from './catalog';
export * from './orchestration';
export * from './notifications';
export * from './assets';
