export * from './security-findings';
export * from './security-guards';
