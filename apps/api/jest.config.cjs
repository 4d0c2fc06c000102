module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'api',
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
});
