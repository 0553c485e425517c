export * from './serverless-warehouse';
export * from './serverless-warehouse-props';
