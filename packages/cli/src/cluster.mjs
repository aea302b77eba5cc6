// @ts-check
/**
 * The embedded PostgreSQL + TimescaleDB cluster used when DATABASE_URL is not set.
 *
 * Layout (all git-ignored, under `<repo>/.fleetcore/`):
 * - `pg/`            the cluster's data directory, owned by the non-root user that runs the server
 *                    (a link to /var/lib/fleetcore/<hash> when that user cannot reach the checkout)
 * - `pg.log`         the server log
 * - `database.json`  connection URLs: `databaseUrl` (the application role `fleetcore_app`: no
 *                    superuser, no BYPASSRLS, owns nothing, so row-level security always applies),
 *                    `ownerUrl` (the `fleetcore` role owning the database: migrations and seed) and
 *                    `adminUrl` (superuser, used only to create databases and extensions — e.g. one
 *                    database per test run)
 *
 * The server listens on 127.0.0.1 only (port FLEETCORE_PG_PORT, default 54329), has no Unix socket, and
 * uses SCRAM passwords generated on first start. PostgreSQL refuses to run as root, so as root we run it
 * as the `postgres` system user (created by Debian's package).
 */
import { createHash, randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { isRoot, run, step, UserFacingError } from "./proc.mjs";

export const DEFAULT_PG_PORT = 54329;

/**
 * @typedef {{ databaseUrl: string, ownerUrl: string, adminUrl: string, port: number, home?: string }} ClusterInfo
 * `home` is the folder holding `pg/` and `pg.log` when it is not `.fleetcore/` itself (see clusterHome).
 */

/**
 * @param {string} stateDir `<repo>/.fleetcore`
 */
export function clusterPaths(stateDir) {
  const info = readInfoFile(join(stateDir, "database.json"));
  const home = info?.home ?? stateDir;
  return {
    dataDir: join(home, "pg"),
    logFile: join(home, "pg.log"),
    infoFile: join(stateDir, "database.json"),
  };
}

/** @returns {ClusterInfo | null} */
function readInfoFile(/** @type {string} */ file) {
  return existsSync(file) ? /** @type {ClusterInfo} */ (JSON.parse(readFileSync(file, "utf8"))) : null;
}

/** Reads `database.json`, or null before the first start. */
export function readClusterInfo(/** @type {string} */ stateDir) {
  return readInfoFile(join(stateDir, "database.json"));
}

/**
 * Where a new cluster's files go: `.fleetcore/` itself when the cluster's user can reach it; otherwise
 * (a checkout under a private directory such as /root, mode 700) `/var/lib/fleetcore/<hash of the
 * checkout path>`, with `.fleetcore/pg` linking there, so no permission of the user's is changed.
 * @param {string} stateDir
 * @param {{ name: string, uid: number, gid: number } | null} user
 */
function clusterHome(stateDir, user) {
  if (!user) return stateDir;
  chownSync(stateDir, user.uid, user.gid);
  if (
    run("runuser", ["-u", user.name, "--", "test", "-w", stateDir], { allowFailure: true, capture: true }).status === 0
  ) {
    return stateDir;
  }
  const home = join("/var/lib/fleetcore", createHash("sha256").update(stateDir).digest("hex").slice(0, 16));
  mkdirSync("/var/lib/fleetcore", { recursive: true, mode: 0o755 });
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, user.uid, user.gid);
  step("database", `${stateDir} is not reachable by the '${user.name}' user; keeping the cluster in ${home}`);
  return home;
}

/** The OS user that owns and runs the cluster. */
function clusterUser() {
  if (!isRoot()) return null; // run as ourselves
  const r = run("id", ["-u", "postgres"], { capture: true, allowFailure: true });
  if (r.status !== 0) {
    run("useradd", ["--system", "--home-dir", "/var/lib/postgresql", "--shell", "/bin/sh", "postgres"]);
  }
  return {
    name: "postgres",
    uid: Number(run("id", ["-u", "postgres"], { capture: true }).stdout.trim()),
    gid: Number(run("id", ["-g", "postgres"], { capture: true }).stdout.trim()),
  };
}

/**
 * Runs a PostgreSQL binary as the cluster's user.
 * @param {{ name: string } | null} user
 * @param {string} bin absolute path
 * @param {string[]} args
 * @param {{ capture?: boolean, allowFailure?: boolean }} [opts]
 */
function asClusterUser(user, bin, args, opts = {}) {
  if (!user) return run(bin, args, opts);
  // From "/": the user may not be allowed into the current directory (e.g. a checkout under /root).
  return run("runuser", ["-u", user.name, "--", bin, ...args], { ...opts, cwd: "/" });
}

/** Resolves true when nothing listens on 127.0.0.1:`port`. */
function portIsFree(/** @type {number} */ port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * The first free port from `preferred` on (another checkout's cluster may hold the default one).
 * @param {number} preferred
 * @returns {Promise<number>}
 */
async function choosePort(preferred) {
  for (let port = preferred; port < preferred + 50; port += 1) {
    if (await portIsFree(port)) return port;
  }
  throw new UserFacingError(`no free port in ${preferred}–${preferred + 49} for PostgreSQL; set FLEETCORE_PG_PORT`);
}

/**
 * Initialises (first time), starts (when stopped) and prepares the embedded cluster: the `fleetcore`
 * role and database with the timescaledb extension. Idempotent and fast when already running.
 * The port is chosen once, at initialisation (the first free one from `port`), and kept.
 * @param {{ stateDir: string, pg: { major: number, bin: string }, port?: number }} opts
 * @returns {Promise<ClusterInfo>}
 */
export async function startCluster({ stateDir, pg, port: preferredPort = DEFAULT_PG_PORT }) {
  const user = clusterUser();
  mkdirSync(stateDir, { recursive: true });
  let info = readClusterInfo(stateDir);
  const home = info?.home ?? clusterHome(stateDir, user);
  const dataDir = join(home, "pg");
  const logFile = join(home, "pg.log");
  const infoFile = join(stateDir, "database.json");

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    const port = await choosePort(preferredPort);
    step("database", `initialising a PostgreSQL ${pg.major} cluster in ${dataDir} (port ${port})`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const superPassword = randomBytes(18).toString("base64url");
    const pwFile = join(home, ".initdb-pw");
    try {
      writeFileSync(pwFile, `${superPassword}\n`, { mode: 0o600 });
      if (user) {
        chownSync(dataDir, user.uid, user.gid);
        chownSync(pwFile, user.uid, user.gid);
      }
      if (home !== stateDir && !existsSync(join(stateDir, "pg"))) symlinkSync(dataDir, join(stateDir, "pg"));
      asClusterUser(
        user,
        join(pg.bin, "initdb"),
        [
          "-D",
          dataDir,
          "-U",
          "postgres",
          "--auth-host=scram-sha-256",
          "--auth-local=scram-sha-256",
          `--pwfile=${pwFile}`,
          "--encoding=UTF8",
          "--locale=C.UTF-8",
        ],
        { capture: true },
      );
    } finally {
      run("rm", ["-f", pwFile]);
    }
    info = {
      port,
      ...(home === stateDir ? {} : { home }),
      adminUrl: `postgres://postgres:${superPassword}@127.0.0.1:${port}/postgres`,
      ownerUrl: `postgres://fleetcore:${randomBytes(18).toString("base64url")}@127.0.0.1:${port}/fleetcore`,
      databaseUrl: `postgres://fleetcore_app:${randomBytes(18).toString("base64url")}@127.0.0.1:${port}/fleetcore`,
    };
    writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  } else if (info && !info.ownerUrl) {
    // Clusters made before the owner/application role split: the old app role becomes the owner.
    const app = new URL(info.databaseUrl);
    info.ownerUrl = info.databaseUrl;
    app.username = "fleetcore_app";
    app.password = randomBytes(18).toString("base64url");
    info.databaseUrl = app.toString();
    writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  }
  if (!info) {
    throw new UserFacingError(
      `${dataDir} exists but ${infoFile} is missing; remove .fleetcore/ to start afresh (this deletes the local database).`,
    );
  }

  if (!isRunning(pg, dataDir, user)) {
    if (!(await portIsFree(info.port))) {
      throw new UserFacingError(
        `port ${info.port} (this checkout's PostgreSQL) is taken by another program.\n` +
          "Stop it, or remove .fleetcore/ to re-create the local database on a free port (this deletes its data).",
      );
    }
    step("database", `starting PostgreSQL + TimescaleDB on 127.0.0.1:${info.port}`);
    if (user && existsSync(logFile)) chownSync(logFile, user.uid, user.gid);
    const options = [
      `-p ${info.port}`,
      "-c listen_addresses=127.0.0.1",
      "-c unix_socket_directories=''",
      "-c shared_preload_libraries=timescaledb",
      "-c timescaledb.telemetry_level=off",
      "-c max_connections=200",
      "-c shared_buffers=256MB",
    ].join(" ");
    const r = asClusterUser(
      user,
      join(pg.bin, "pg_ctl"),
      ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"],
      { capture: true, allowFailure: true },
    );
    if (r.status !== 0) {
      const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new UserFacingError(
        `PostgreSQL did not start (${r.stderr.trim() || r.stdout.trim()}).\nLast lines of ${logFile}:\n${tail}`,
      );
    }
  }
  prepareDatabase(pg, info);
  return info;
}

/**
 * Creates, as the superuser, the `fleetcore` role owning the `fleetcore` database (migrations), the
 * `fleetcore_app` role the application connects as (LOGIN, no superuser, no BYPASSRLS, no
 * CREATEDB; the migrations grant it DML), and the timescaledb extension. Safe to repeat; passwords
 * are (re)set from database.json.
 * @param {{ bin: string }} pg
 * @param {ClusterInfo} info
 */
function prepareDatabase(pg, info) {
  const admin = new URL(info.adminUrl);
  const owner = new URL(info.ownerUrl);
  const app = new URL(info.databaseUrl);
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(admin.password) };
  const psql = (/** @type {string} */ db, /** @type {string} */ sql) =>
    run(
      join(pg.bin, "psql"),
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(info.port),
        "-U",
        "postgres",
        "-d",
        db,
        "-v",
        "ON_ERROR_STOP=1",
        "-qAt",
        "-c",
        sql,
      ],
      { env, capture: true },
    );
  const literal = (/** @type {URL} */ u) => decodeURIComponent(u.password).replaceAll("'", "''");
  psql(
    "postgres",
    `DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleetcore') THEN
      CREATE ROLE fleetcore LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD '${literal(owner)}';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleetcore_app') THEN
      CREATE ROLE fleetcore_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB PASSWORD '${literal(app)}';
    ELSE
      ALTER ROLE fleetcore_app PASSWORD '${literal(app)}';
    END IF;
  END $$;`,
  );
  const exists = psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'fleetcore'").stdout.trim() === "1";
  if (!exists) psql("postgres", "CREATE DATABASE fleetcore OWNER fleetcore");
  psql("fleetcore", "CREATE EXTENSION IF NOT EXISTS timescaledb");
}

/**
 * @param {{ bin: string }} pg
 * @param {string} dataDir
 * @param {{ name: string } | null} user
 */
function isRunning(pg, dataDir, user) {
  if (!existsSync(join(dataDir, "postmaster.pid"))) return false;
  return (
    asClusterUser(user, join(pg.bin, "pg_ctl"), ["-D", dataDir, "status"], { capture: true, allowFailure: true })
      .status === 0
  );
}

/**
 * Stops the embedded cluster if it runs (fast shutdown: active sessions are ended, data is safe).
 * @param {{ stateDir: string, pg: { bin: string } }} opts
 * @returns {boolean} whether a running cluster was stopped
 */
export function stopCluster({ stateDir, pg }) {
  const { dataDir } = clusterPaths(stateDir);
  const user = clusterUser();
  if (!existsSync(dataDir) || !isRunning(pg, dataDir, user)) return false;
  asClusterUser(user, join(pg.bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"], { capture: true });
  return true;
}
