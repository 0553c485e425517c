export * from './access-log-bucket';
export * from './access-log-bucket-props';
export * from './bucket-baseline';
export * from './data-key';
export * from './data-key-props';
export * from './secure-bucket';
export * from './secure-bucket-grants';
export * from './secure-bucket-props';
