export * from './asset-files';
export * from './bucket-assets';
export * from './bucket-assets-props';
export * from './deterministic-zip';
export * from './pipeline-files';
