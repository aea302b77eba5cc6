#!/usr/bin/env node
// @ts-check
/**
 * `fleetcore` — the one entry point behind `npm start` and `npm test` (see README).
 *
 *   fleetcore start        install what is missing, provision + migrate + seed the database, build, serve
 *   fleetcore test         the same provisioning, then typecheck, lint and every test (vitest)
 *   fleetcore setup        provisioning only (pnpm, dependencies, database, migrations, Prisma client)
 *   fleetcore db up|stop|status|url
 *                          manage the embedded PostgreSQL + TimescaleDB cluster (.fleetcore/pg)
 *
 * Environment: DATABASE_URL (the application role on that server, used as is; no local cluster),
 * DATABASE_OWNER_URL (the role owning the database, for migrations and seed; defaults to DATABASE_URL),
 * DATABASE_ADMIN_URL (a role that may CREATE DATABASE for per-run test databases; defaults to the
 * owner), PORT (HTTP, default 3000),
 * FLEETCORE_PG_PORT (embedded cluster, default 54329), CHROMIUM_PATH (browser tests).
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PG_PORT, readClusterInfo, startCluster, stopCluster } from "../src/cluster.mjs";
import { hasCommand, run, step, UserFacingError, warn } from "../src/proc.mjs";
import { ensureChromium, ensurePostgres, ensureRedis, ensureTimescale, findPostgres } from "../src/system.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const STATE_DIR = join(ROOT, ".fleetcore");
const PNPM_VERSION = "10.34.8";

/** Fails early on a Node.js older than the toolchain supports (Prisma 7, Vite 8: ≥ 20.19). */
function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new UserFacingError(`Node.js ${process.versions.node} is too old: Fleetcore needs Node.js ≥ 20.19.`);
  }
}

/**
 * Returns the argv prefix that runs pnpm 10, installing it with npm when missing.
 * @returns {string[]}
 */
function ensurePnpm() {
  const works = (/** @type {string[]} */ cmd) => {
    const [bin = "pnpm", ...args] = cmd;
    const r = run(bin, [...args, "--version"], { capture: true, allowFailure: true });
    return r.status === 0 && r.stdout.trim().startsWith("10.");
  };
  if (hasCommand("pnpm") && works(["pnpm"])) return ["pnpm"];
  step("setup", `installing pnpm ${PNPM_VERSION} with npm`);
  const r = run("npm", ["install", "-g", "--no-fund", "--no-audit", `pnpm@${PNPM_VERSION}`], {
    allowFailure: true,
    capture: true,
  });
  if (r.status === 0 && works(["pnpm"])) return ["pnpm"];
  // No permission for a global install: run it through npx instead.
  const viaNpx = ["npx", "--yes", `pnpm@${PNPM_VERSION}`];
  if (works(viaNpx)) return viaNpx;
  throw new UserFacingError(
    `could not install pnpm (${r.stderr.trim().split("\n").pop()}). Install pnpm ${PNPM_VERSION} and retry.`,
  );
}

/** Hash of everything that decides node_modules: the lockfile and every package.json. */
function dependencyStamp() {
  const hash = createHash("sha256");
  const files = ["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml"];
  for (const group of ["apps", "packages"]) {
    for (const name of readdirSync(join(ROOT, group))) files.push(join(group, name, "package.json"));
  }
  for (const f of files.sort()) {
    if (existsSync(join(ROOT, f))) hash.update(f).update(readFileSync(join(ROOT, f)));
  }
  return hash.digest("hex");
}

/** `pnpm install` unless node_modules already matches the lockfile (a second start skips it). */
function ensureDependencies(/** @type {string[]} */ pnpm) {
  const stampFile = join(ROOT, "node_modules", ".fleetcore-deps");
  const stamp = dependencyStamp();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  step("setup", "installing dependencies with pnpm");
  const frozen = existsSync(join(ROOT, "pnpm-lock.yaml")) ? ["--frozen-lockfile"] : [];
  pnpmRun(pnpm, ["install", ...frozen]);
  writeFileSync(stampFile, dependencyStamp());
}

/**
 * @param {string[]} pnpm
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function pnpmRun(pnpm, args, env = process.env) {
  const [bin = "pnpm", ...pre] = pnpm;
  return run(bin, [...pre, ...args], { cwd: ROOT, env });
}

/**
 * Resolves the database: DATABASE_URL as is, or the embedded cluster (installed, built and started
 * as needed).
 * @returns {Promise<{ databaseUrl: string, ownerUrl: string, adminUrl: string, embedded: boolean }>}
 */
async function ensureDatabase() {
  const external = process.env.DATABASE_URL;
  if (external) {
    step("database", "using DATABASE_URL as is");
    const ownerUrl = process.env.DATABASE_OWNER_URL ?? external;
    return { databaseUrl: external, ownerUrl, adminUrl: process.env.DATABASE_ADMIN_URL ?? ownerUrl, embedded: false };
  }
  const pg = ensurePostgres();
  await ensureTimescale(pg, STATE_DIR);
  const port = Number(process.env.FLEETCORE_PG_PORT ?? DEFAULT_PG_PORT);
  const info = await startCluster({ stateDir: STATE_DIR, pg, port });
  return { databaseUrl: info.databaseUrl, ownerUrl: info.ownerUrl, adminUrl: info.adminUrl, embedded: true };
}

/**
 * The key that seals integration secrets at rest: SECRETS_KEY when set, else this checkout's
 * `.fleetcore/secrets.key` (created once, mode 0600 — the same file @fleetcore/config reads outside
 * production). Passed to every child, so the seed and the server (which runs with
 * NODE_ENV=production and would otherwise refuse to start without it) seal and open with one key.
 * @returns {string}
 */
function secretsKey() {
  if (process.env.SECRETS_KEY) return process.env.SECRETS_KEY;
  const file = join(STATE_DIR, "secrets.key");
  if (!existsSync(file)) {
    mkdirSync(STATE_DIR, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      // Another process created it first: use theirs.
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== "EEXIST") throw err;
    }
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * Everything both commands share. Returns the environment children run with.
 * @returns {Promise<{ pnpm: string[], env: NodeJS.ProcessEnv }>}
 */
async function setup() {
  checkNode();
  const pnpm = ensurePnpm();
  ensureDependencies(pnpm);
  const db = await ensureDatabase();
  const env = {
    ...process.env,
    DATABASE_URL: db.databaseUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    DATABASE_ADMIN_URL: db.adminUrl,
    SECRETS_KEY: secretsKey(),
    TURBO_TELEMETRY_DISABLED: "1",
    VITE_CONFIG_NATIVE_IGNORE_WARNING: "true",
  };
  step("setup", "generating the Prisma client");
  pnpmRun(pnpm, ["--silent", "db:generate"], env);
  step("database", "applying migrations");
  pnpmRun(pnpm, ["--silent", "db:migrate"], env);
  return { pnpm, env };
}

async function start() {
  const { pnpm, env } = await setup();
  step("database", "seeding the demo tenant (only into an empty database)");
  pnpmRun(pnpm, ["--silent", "db:seed"], env);
  step("build", "building (cached by Turborepo after the first run)");
  pnpmRun(pnpm, ["exec", "turbo", "run", "build", "--output-logs=errors-only"], env);
  const port = process.env.PORT ?? "3000";
  step("serve", `starting Fleetcore on http://localhost:${port}`);
  const [bin = "pnpm", ...pre] = pnpm;
  // Replace ourselves with the server in spirit: forward signals, exit with its status.
  const { spawn } = await import("node:child_process");
  const child = spawn(bin, [...pre, "--silent", "--filter", "@fleetcore/server", "start"], {
    cwd: ROOT,
    env: { ...env, NODE_ENV: env.NODE_ENV ?? "production", PORT: port },
    stdio: "inherit",
  });
  for (const sig of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(sig, () => child.kill(sig));
  // Killed by a signal we forwarded (Ctrl+C): a normal stop. Any other signal or code: a failure.
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" || signal === "SIGTERM" ? 0 : 1)));
}

async function test() {
  const { pnpm, env } = await setup();
  const chromium = ensureChromium();
  ensureRedis();
  step("check", "building, typechecking and linting");
  try {
    pnpmRun(pnpm, ["exec", "turbo", "run", "build", "typecheck", "lint", "--output-logs=errors-only"], env);
    pnpmRun(pnpm, ["--silent", "check:root"], env);
  } catch (err) {
    // The run still ends in the summary line people and CI read; the failed check counts as one failure.
    console.error(`\n✗ ${err instanceof Error ? err.message : String(err)}`);
    console.log("\nBuild, typecheck or lint failed (see above); the test suites did not run.");
    console.log("Tests: 0 passed, 1 failed, 0 skipped");
    process.exit(1);
  }
  step("test", "running every test (unit, integration against TimescaleDB, browser)");
  const r = run(pnpm[0] ?? "pnpm", [...pnpm.slice(1), "exec", "vitest", "run"], {
    cwd: ROOT,
    env: { ...env, CHROMIUM_PATH: chromium, NODE_ENV: "test" },
    allowFailure: true,
  });
  process.exit(r.status);
}

async function db(/** @type {string | undefined} */ sub) {
  checkNode();
  if (process.env.DATABASE_URL) {
    console.log("DATABASE_URL is set: Fleetcore uses that server and manages no local cluster.");
    return;
  }
  switch (sub) {
    case "up": {
      const info = await ensureDatabase();
      console.log(info.databaseUrl);
      return;
    }
    case "stop": {
      const pg = findPostgres();
      const stopped = pg ? stopCluster({ stateDir: STATE_DIR, pg }) : false;
      console.log(
        stopped ? "stopped the embedded PostgreSQL cluster" : "the embedded PostgreSQL cluster was not running",
      );
      return;
    }
    case "status": {
      const pg = findPostgres();
      const info = readClusterInfo(STATE_DIR);
      if (!pg || !info) {
        console.log("no embedded cluster yet (run `npm start`)");
        return;
      }
      const r = run(join(pg.bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(info.port)], {
        capture: true,
        allowFailure: true,
      });
      console.log(`${info.databaseUrl.replace(/:[^:@/]+@/, ":***@")} — ${r.stdout.trim()}`);
      return;
    }
    case "url": {
      const info = readClusterInfo(STATE_DIR);
      if (!info) throw new UserFacingError("no embedded cluster yet (run `npm start` or `npm run db:up`)");
      console.log(info.databaseUrl);
      return;
    }
    default:
      throw new UserFacingError("usage: fleetcore db up|stop|status|url");
  }
}

async function main() {
  const [command, sub] = process.argv.slice(2);
  switch (command) {
    case "start":
      return start();
    case "test":
      return test();
    case "setup":
      await setup();
      return;
    case "db":
      return db(sub);
    default:
      console.log("usage: fleetcore start | test | setup | db up|stop|status|url");
      process.exitCode = command ? 2 : 0;
  }
}

main().catch((err) => {
  if (err instanceof UserFacingError) {
    console.error(`\n✗ ${err.message}`);
  } else {
    console.error(err);
  }
  warn("Stopped. Fix the problem above and run the same command again.");
  process.exit(1);
});
