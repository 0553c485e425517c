export * from './analytics-network';
export * from './analytics-network-props';
export * from './endpoint-policies';
export * from './private-vpc';
export * from './private-vpc-props';
export * from './vpc-peering';
export * from './vpc-peering-props';
