// @ts-check
/**
 * Process helpers for the provisioning CLI. This package deliberately has no dependencies: it runs
 * before pnpm and node_modules exist.
 */
import { spawn, spawnSync } from "node:child_process";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (/** @type {string} */ code, /** @type {string} */ s) => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Prints a step header, e.g. `▸ database: starting PostgreSQL on 127.0.0.1:54329`. */
export function step(/** @type {string} */ scope, /** @type {string} */ message) {
  console.log(`${paint("36", "▸")} ${paint("1", scope)}: ${message}`);
}

/** Prints a warning line to stderr. */
export function warn(/** @type {string} */ message) {
  console.error(`${paint("33", "!")} ${message}`);
}

/** A failure with a message meant for a person; the CLI prints it without a stack trace. */
export class UserFacingError extends Error {}

/**
 * Runs a command to completion, inheriting stdio unless `capture` is set.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, capture?: boolean, allowFailure?: boolean, input?: string }} [opts]
 * @returns {{ status: number, stdout: string, stderr: string }}
 * @throws {UserFacingError} when the command exits non-zero and `allowFailure` is not set.
 */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input,
    stdio: opts.capture || opts.input !== undefined ? "pipe" : "inherit",
    encoding: "utf8",
  });
  const result = { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  if (r.error && !opts.allowFailure) {
    throw new UserFacingError(`could not run ${cmd}: ${r.error.message}`);
  }
  if (result.status !== 0 && !opts.allowFailure) {
    const detail = opts.capture ? `\n${result.stderr || result.stdout}` : "";
    throw new UserFacingError(`\`${[cmd, ...args].join(" ")}\` exited with ${result.status}${detail}`);
  }
  return result;
}

/**
 * Runs a long command, writing its full output to `logFile` and showing only progress: each output
 * line matching `progress` is passed to `onProgress`. Resolves on exit 0, rejects otherwise.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, log: import("node:fs").WriteStream, onLine?: (line: string) => void }} opts
 * @returns {Promise<void>}
 */
export function runLogged(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    opts.log.write(`\n$ ${[cmd, ...args].join(" ")}\n`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    const onData = (/** @type {Buffer} */ chunk) => {
      opts.log.write(chunk);
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) opts.onLine?.(line);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (err) => reject(new UserFacingError(`could not run ${cmd}: ${err.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new UserFacingError(`\`${cmd} ${args.join(" ")}\` exited with ${code}`)),
    );
  });
}

/** True when `cmd` resolves on PATH. */
export function hasCommand(/** @type {string} */ cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** True when this process runs as root. */
export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/**
 * The prefix needed to run a command as root: none when we are root, `sudo -n` when password-less
 * sudo works, otherwise null (the caller explains what to do).
 * @returns {string[] | null}
 */
export function rootPrefix() {
  if (isRoot()) return [];
  if (hasCommand("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0) return ["sudo", "-n"];
  return null;
}
