#!/usr/bin/env node
// `pnpm guichet <command> …`: the administration CLI (apps/api/src/cli.ts), compiled first if stale.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileApi, root } from './build-step.mjs';

compileApi({ quiet: true });
createRequire(import.meta.url)(join(root, 'apps/api/dist/cli.js'));
