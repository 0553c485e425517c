export * from './types';
export * from './cidr';
export * from './defaults';
export * from './naming';
export * from './park';
export * from './pipeline-contract';
export * from './validate';
export * from './load';
