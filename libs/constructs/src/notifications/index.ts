export * from './pipeline-topic';
export * from './pipeline-topic-props';
export * from './chat-channels';
export * from './chat-channels-props';
