/**
 * Runs the web bench's TypeScript in place (like the Jest preset does): SWC with legacy decorators
 * and their metadata, so the API's Nest modules load from apps/api/src with their own
 * node_modules; the workspace libs are taken from source, as jest.preset.cjs maps them.
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const LIBS = path.resolve(__dirname, '../../../libs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const lib = /^@guichet\/(contracts|channels|testing)$/.exec(request);
  if (lib) request = path.join(LIBS, lib[1], 'src', 'index.ts');
  return resolveFilename.call(this, request, parent, ...rest);
};

const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs', ignoreDynamic: true },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function (module, filename) {
  const source = readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...OPTIONS, filename });
  module._compile(code, filename);
};
