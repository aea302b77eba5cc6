/**
 * tsup bundles the workspace packages into dist/index.js but keeps npm packages external, resolved
 * from apps/server's own node_modules at run time (tsup.config.ts). An npm dependency of a bundled
 * workspace package that the server does not declare gets inlined instead — and a CommonJS one then
 * breaks the ESM bundle at start-up ("Dynamic require of \"stream\" is not supported"), which no
 * in-process test notices. This checks the declarations statically, following workspace
 * dependencies transitively.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
type Manifest = { name: string; dependencies?: Record<string, string> };
const read = (dir: string): Manifest => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as Manifest;
const dirs: Record<string, string> = {};
for (const dir of [
  "packages/api",
  "packages/core",
  "packages/db",
  "packages/config",
  "packages/realtime",
  "packages/validators",
]) {
  dirs[read(dir).name] = dir;
}

describe("the server bundle", () => {
  it("declares every npm package its bundled workspace packages need", () => {
    const server = read("apps/server");
    const declared = new Set(Object.keys(server.dependencies ?? {}));
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const dir = dirs[name];
      if (!dir) return;
      for (const dep of Object.keys(read(dir).dependencies ?? {})) {
        if (dep.startsWith("@fleetcore/")) visit(dep);
        else if (!declared.has(dep)) missing.push(`${dep} (needed by ${name})`);
      }
    };
    for (const dep of declared) if (dep.startsWith("@fleetcore/")) visit(dep);
    expect(missing).toEqual([]);
  });
});
