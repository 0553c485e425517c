// Shared jest settings: ts-jest in transpile-only mode (type checking is the lint target's job),
// and the @xetl/* path aliases of tsconfig.base.json.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.base.json'), diagnostics: false }],
  },
  moduleNameMapper: {
    '^@xetl/(config|constructs|cost|ops|stacks|testing)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: [path.join(__dirname, 'libs/testing/src/jest-setup.ts')],
};
