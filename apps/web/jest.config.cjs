module.exports = require('../../jest.preset.cjs')(__dirname, {
  displayName: 'web',
  globalSetup: '<rootDir>/../api/test/global-setup.ts',
  globalTeardown: '<rootDir>/../api/test/global-teardown.ts',
});
