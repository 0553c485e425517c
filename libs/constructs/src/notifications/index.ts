export * from './pipeline-topic';
export * from './pipeline-topic-props';
