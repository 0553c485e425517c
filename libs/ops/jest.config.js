const preset = require('../../jest.preset.js');

// The forbid-real-AWS setup runs in every test file: a client built without an endpoint throws.
module.exports = {
  ...preset,
  displayName: 'ops',
  rootDir: __dirname,
  setupFiles: [require.resolve('./src/test-support/forbid-real-aws.ts')],
};
