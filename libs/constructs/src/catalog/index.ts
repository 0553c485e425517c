export * from './glue-pipeline';
export * from './glue-pipeline-props';
