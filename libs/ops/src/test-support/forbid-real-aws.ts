// Loaded by libs/ops/jest.config.js before every test file: a client built without an emulator
// endpoint throws, and credentials are dummies, so no test can reach real AWS.
process.env.XETL_FORBID_REAL_AWS = '1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
delete process.env.XETL_AWS_ENDPOINT_URL;
