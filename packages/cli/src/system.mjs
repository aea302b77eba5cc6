// @ts-check
/**
 * System packages: PostgreSQL server binaries, TimescaleDB (built from Debian's source package when no
 * binary package is available), Debian's Chromium for browser tests and Debian's Redis for the
 * multi-process Socket.IO test.
 *
 * The TimescaleDB build follows ../shared/environment.md: trixie's source package, Apache-2 edition only
 * (`-DAPACHE_ONLY=1`), telemetry off, built against the local PostgreSQL's pg_config.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasCommand, rootPrefix, run, runLogged, step, UserFacingError, warn } from "./proc.mjs";

const DOCKER_HINT =
  "Alternatively run the database with Docker (`docker compose -f docker/compose.yaml up -d`) and set " +
  "DATABASE_URL=postgres://fleetcore_app:fleetcore_app@127.0.0.1:5432/fleetcore, " +
  "DATABASE_OWNER_URL=postgres://fleetcore:fleetcore@127.0.0.1:5432/fleetcore and " +
  "DATABASE_ADMIN_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres (see README).";

/**
 * Finds the newest installed PostgreSQL server (Debian layout `/usr/lib/postgresql/<major>/bin`).
 * @returns {{ major: number, bin: string } | null}
 */
export function findPostgres() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .map(Number)
    .filter((m) => Number.isInteger(m) && existsSync(join(root, String(m), "bin", "postgres")))
    .sort((a, b) => b - a);
  const major = majors[0];
  return major === undefined ? null : { major, bin: join(root, String(major), "bin") };
}

let aptUpdated = false;

/**
 * `apt-get install -y` the given packages (running `apt-get update` once first).
 * @param {string[]} packages
 * @param {string} why shown in the error when installing is impossible
 * @throws {UserFacingError} when not on Debian/Ubuntu or without root/sudo.
 */
export function aptInstall(packages, why) {
  if (!hasCommand("apt-get")) {
    throw new UserFacingError(
      `${why}: this is not a Debian/Ubuntu machine (no apt-get). Install ${packages.join(", ")} yourself.\n${DOCKER_HINT}`,
    );
  }
  const prefix = rootPrefix();
  if (!prefix) {
    throw new UserFacingError(
      `${why}: installing ${packages.join(", ")} needs root or password-less sudo.\nRun \`sudo apt-get install -y ${packages.join(" ")}\` once, then retry.\n${DOCKER_HINT}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const [cmd = "apt-get", ...rest] = [...prefix, "apt-get"];
  if (!aptUpdated) {
    run(cmd, [...rest, "update", "-qq"], { env, capture: true });
    aptUpdated = true;
  }
  run(cmd, [...rest, "install", "-y", "-qq", "--no-install-recommends", ...packages], { env });
}

/**
 * Ensures PostgreSQL server binaries exist, installing Debian's `postgresql` package when absent.
 * @returns {{ major: number, bin: string }}
 */
export function ensurePostgres() {
  const found = findPostgres();
  if (found) return found;
  step("database", "PostgreSQL server not found; installing Debian's postgresql package");
  aptInstall(["postgresql", "postgresql-contrib"], "PostgreSQL is needed when DATABASE_URL is not set");
  // The Debian package creates and starts a default cluster; we run our own, so stop that one.
  run("sh", ["-c", "command -v pg_ctlcluster >/dev/null && (service postgresql stop || true)"], {
    allowFailure: true,
    capture: true,
  });
  const installed = findPostgres();
  if (!installed)
    throw new UserFacingError(`PostgreSQL installed but no server found under /usr/lib/postgresql.\n${DOCKER_HINT}`);
  return installed;
}

/** Path of the TimescaleDB extension control file for a PostgreSQL major version. */
function timescaleControlFile(/** @type {number} */ major) {
  return `/usr/share/postgresql/${major}/extension/timescaledb.control`;
}

/**
 * Ensures the TimescaleDB extension is installed for `pg`. Tries nothing when it already is (so a
 * second `npm start` never rebuilds it); otherwise builds the Apache-2 edition from Debian's source
 * package, showing progress and writing the full build log to `logDir/timescaledb-build.log`.
 * @param {{ major: number, bin: string }} pg
 * @param {string} logDir
 */
export async function ensureTimescale(pg, logDir) {
  if (existsSync(timescaleControlFile(pg.major))) return;
  step(
    "timescaledb",
    `extension missing for PostgreSQL ${pg.major}; building it from Debian's source package (takes 1–3 minutes, once)`,
  );
  const prefix = rootPrefix();
  if (!prefix) {
    throw new UserFacingError(
      `TimescaleDB is not installed and building it needs root or password-less sudo.\n${DOCKER_HINT}`,
    );
  }
  aptInstall(
    [`postgresql-server-dev-${pg.major}`, "cmake", "build-essential", "xz-utils", "dpkg-dev"],
    "building TimescaleDB",
  );

  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, "timescaledb-build.log");
  const log = createWriteStream(logPath);
  const work = "/tmp/fleetcore-timescaledb";
  // Start clean: a previous, interrupted attempt would leave a build/ folder that bootstrap refuses.
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "lists", "partial"), { recursive: true });
  writeFileSync(join(work, "sources.list"), "deb-src http://deb.debian.org/debian trixie main\n");
  // Own apt lists and source list: the system's apt configuration is left untouched.
  const aptOpts = [
    "-o",
    `Dir::Etc::sourcelist=${join(work, "sources.list")}`,
    "-o",
    "Dir::Etc::sourceparts=/nonexistent",
    "-o",
    `Dir::State::Lists=${join(work, "lists")}`,
  ];
  const [sudo, ...sudoArgs] = prefix.length ? prefix : [undefined];
  const asRoot = (/** @type {string} */ cmd, /** @type {string[]} */ args) =>
    sudo
      ? /** @type {[string, string[]]} */ ([sudo, [...sudoArgs, cmd, ...args]])
      : /** @type {[string, string[]]} */ ([cmd, args]);
  try {
    step("timescaledb", "fetching the source package from Debian (trixie)");
    await runLogged(...asRoot("apt-get", [...aptOpts, "update"]), { log });
    await runLogged("apt-get", [...aptOpts, "source", "--download-only", "timescaledb"], { cwd: work, log });
    const tarball = readdirSync(work).find((f) => /^timescaledb_.*\.orig\.tar\.(xz|gz)$/.test(f));
    if (!tarball) throw new UserFacingError("the TimescaleDB source tarball was not downloaded");
    await runLogged("tar", ["xf", tarball], { cwd: work, log });
    const srcDir = readdirSync(work).find((f) => /^timescaledb-\d/.test(f));
    if (!srcDir) throw new UserFacingError("the TimescaleDB source tarball did not unpack as expected");
    const src = join(work, srcDir);
    step("timescaledb", `configuring ${srcDir} (Apache-2 edition, telemetry off)`);
    await runLogged(
      "./bootstrap",
      [
        "-DAPACHE_ONLY=1",
        "-DREGRESS_CHECKS=OFF",
        "-DSEND_TELEMETRY_DEFAULT=OFF",
        "-DUSE_TELEMETRY=OFF",
        `-DPG_CONFIG=${join(pg.bin, "pg_config")}`,
        "-DCMAKE_BUILD_TYPE=Release",
      ],
      { cwd: src, log },
    );
    let shown = -1;
    await runLogged("make", ["-j2"], {
      cwd: join(src, "build"),
      log,
      onLine: (line) => {
        const m = /^\[\s*(\d+)%\]/.exec(line);
        const pct = m ? Number(m[1]) : -1;
        if (pct >= shown + 10 || (pct === 100 && shown !== 100)) {
          shown = pct;
          step("timescaledb", `compiling… ${pct}%`);
        }
      },
    });
    await runLogged(...asRoot("make", ["install"]), { cwd: join(src, "build"), log });
  } catch (err) {
    throw new UserFacingError(
      `building TimescaleDB failed (${err instanceof Error ? err.message : String(err)}).\nFull log: ${logPath}\n${DOCKER_HINT}`,
    );
  } finally {
    log.end();
  }
  if (!existsSync(timescaleControlFile(pg.major))) {
    throw new UserFacingError(
      `TimescaleDB built but its control file is missing. Full log: ${logPath}\n${DOCKER_HINT}`,
    );
  }
  step("timescaledb", "installed");
}

/**
 * Finds Chromium for browser tests (CHROMIUM_PATH, then Debian's /usr/bin/chromium), installing
 * Debian's `chromium` package when absent.
 * @returns {string} the executable path
 */
export function ensureChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new UserFacingError(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  for (const candidate of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (existsSync(candidate)) return candidate;
  }
  step("browser", "installing Debian's chromium for the browser tests");
  aptInstall(["chromium"], "browser tests need Chromium (or set CHROMIUM_PATH)");
  return "/usr/bin/chromium";
}

/**
 * Ensures `redis-server` is on the PATH for the multi-process Socket.IO test (apps/server/test/redis.test.ts
 * starts its own instance on a free port), installing Debian's `redis-server` package when absent.
 * Not fatal: without root or apt the test skips and says why.
 */
export function ensureRedis() {
  if (hasCommand("redis-server")) return;
  step("redis", "installing Debian's redis-server for the multi-process Socket.IO test");
  try {
    aptInstall(["redis-server"], "the Redis adapter test needs redis-server");
  } catch (err) {
    if (!(err instanceof UserFacingError)) throw err;
    warn(`${err.message}
The Redis adapter test will be skipped.`);
  }
}
