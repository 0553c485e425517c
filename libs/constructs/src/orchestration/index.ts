export * from './airflow-environment';
export * from './airflow-environment-props';
