import { defineConfig } from "tsup";

/**
 * Bundles the server and the workspace packages it uses (they ship TypeScript source) into
 * dist/index.js; npm dependencies stay external and load from node_modules. tsup externalises only
 * this package's own dependencies, so every npm package a bundled workspace package needs at run time
 * (e.g. @node-rs/argon2, @prisma/client) is listed in apps/server/package.json too.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  sourcemap: true,
  clean: true,
  noExternal: [/^@fleetcore\//],
});
