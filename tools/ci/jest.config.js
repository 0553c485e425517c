module.exports = { ...require('../../jest.preset.js'), displayName: 'ci', rootDir: __dirname, testTimeout: 30_000 };
