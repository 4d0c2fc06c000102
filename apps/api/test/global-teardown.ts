import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __GUICHET_PG__?: { stop(): Promise<void> } }).__GUICHET_PG__;
  await pg?.stop();
  if (process.env.GUICHET_TEST_PG_DIR) rmSync(process.env.GUICHET_TEST_PG_DIR, { recursive: true, force: true });
}
