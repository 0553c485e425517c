export * from './event-patterns';
export * from './source-event-forwarder';
export * from './source-event-forwarder-props';
export * from './pipeline-event-bus';
export * from './pipeline-event-bus-props';
export * from './trigger-function';
export * from './trigger-function-props';
