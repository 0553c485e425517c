export * from './paths';
export * from './terraform-cli-config';
export * from './terraform';
export * from './emulator-override';
export * from './moto-server';
export * from './stack-runs';
