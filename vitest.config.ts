/**
 * Every test, from the root: one vitest project per package. Projects that touch the database get
 * their own fresh, migrated TimescaleDB database per run (packages/db/src/vitest-global-setup.ts).
 */
import { defineConfig } from "vitest/config";
import SummaryReporter from "./packages/cli/src/vitest-summary-reporter.ts";

const dbSetup = "../../packages/db/src/vitest-global-setup.ts";

function project(
  name: string,
  root: string,
  opts: { db?: boolean; include?: string[]; timeoutMs?: number; pollTimeoutMs?: number; sequential?: boolean } = {},
) {
  return {
    extends: true as const,
    test: {
      name,
      root,
      include: opts.include ?? ["test/**/*.test.ts"],
      // The browser tests are their own project (they need the built web app and a longer timeout).
      exclude: opts.include ? [] : ["test/e2e/**"],
      environment: "node" as const,
      globalSetup: opts.db ? [dbSetup] : [],
      testTimeout: opts.timeoutMs ?? 20_000,
      fileParallelism: !opts.sequential,
      hookTimeout: 60_000,
      // `expect.poll`'s default timeout (vitest's own default, 1 s, unless set).
      ...(opts.pollTimeoutMs ? { expect: { poll: { timeout: opts.pollTimeoutMs } } } : {}),
    },
  };
}

export default defineConfig({
  test: {
    reporters: ["default", new SummaryReporter()],
    projects: [
      project("validators", "./packages/validators"),
      // Sequential: the migration tests briefly add objects that the drift test would report.
      project("db", "./packages/db", { db: true, sequential: true }),
      project("core", "./packages/core", { db: true }),
      project("api", "./packages/api", { db: true }),
      project("server", "./apps/server", { db: true }),
      // The replay tool talks HTTP to a stub server in its tests; no database.
      project("replay", "./apps/replay"),
      // The web app's pure modules (replay arithmetic, map diffing); the UI itself is tested in e2e.
      project("web", "./apps/web"),
      // expect.poll waits on browser and server state there: 1 s is too short on a busy CI machine.
      project("e2e", "./apps/server", {
        db: true,
        include: ["test/e2e/**/*.test.ts"],
        timeoutMs: 60_000,
        pollTimeoutMs: 10_000,
      }),
    ],
  },
});
