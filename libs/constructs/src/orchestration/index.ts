export * from './airflow-environment';
export * from './airflow-environment-props';
export * from './pipeline-variable-secret';
export * from './pipeline-variable-secret-props';
