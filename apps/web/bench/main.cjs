// `pnpm --filter @guichet/web bench`: the TypeScript bench runs in place through SWC (register.cjs).
require('./register.cjs');
require('./run.ts');
