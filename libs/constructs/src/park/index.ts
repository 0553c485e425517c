export * from './park-switch';
export * from './park-switch-props';
