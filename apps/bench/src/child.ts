/**
 * Servers under test run as child processes, so the load generator and the clients never share
 * their CPU accounting: the parent asks the child for `process.cpuUsage()` over IPC, and can have
 * it record a V8 CPU profile of just the measured window (node:inspector). Both sides of that small
 * protocol live here.
 */

import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

type ParentMessage =
  | { type: "cpu" }
  | { type: "profile-start" }
  | { type: "profile-stop"; file: string }
  | { type: "stop" };
type ChildMessage =
  | { type: "ready"; port: number }
  | { type: "cpu"; usage: NodeJS.CpuUsage; rssBytes: number }
  | { type: "profile"; file: string }
  | { type: "error"; message: string };

/** A server under test in its own process. */
export interface ServerChild {
  url: string;
  pid: number;
  /** The child's `process.cpuUsage()` (µs since it started) and resident memory (bytes). */
  cpu(): Promise<{ usage: NodeJS.CpuUsage; rssBytes: number }>;
  /** Starts sampling the child's CPU (V8 profiler, 1 ms interval). */
  profileStart(): Promise<void>;
  /** Stops sampling and writes the `.cpuprofile` (Chrome DevTools format) to `file`. */
  profileStop(file: string): Promise<void>;
  /** Closes the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/**
 * The environment of a Fleetcore server under test: this process's, pointed at the bench database,
 * in production mode, logging warnings only, single-process (no REDIS_URL).
 */
export function serverEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    // Production requires a key for integration secrets; the bench's own database has none to read.
    SECRETS_KEY: process.env.SECRETS_KEY ?? randomBytes(32).toString("base64"),
  };
  delete env.REDIS_URL;
  return env;
}

/**
 * Starts `src/<entry>` with tsx and resolves once it reports its port.
 * @param opts.env the child's whole environment
 * @throws Error when the child exits or reports an error before it is ready
 */
export function startChild(entry: string, opts: { env: NodeJS.ProcessEnv; args?: string[] }): Promise<ServerChild> {
  const child = fork(join(BENCH_ROOT, "src", entry), opts.args ?? [], {
    cwd: BENCH_ROOT,
    env: opts.env,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waiting = new Map<ChildMessage["type"], (m: ChildMessage) => void>();
  const ask = <T extends ChildMessage["type"]>(msg: ParentMessage, answer: T) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve) => {
      waiting.set(answer, resolve as (m: ChildMessage) => void);
      child.send(msg);
    });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${entry} exited with ${code} before it was ready`)));
    child.on("message", (m: ChildMessage) => {
      if (m.type === "error") reject(new Error(`${entry}: ${m.message}`));
      waiting.get(m.type)?.(m);
      waiting.delete(m.type);
      if (m.type !== "ready") return;
      resolve({
        url: `http://127.0.0.1:${m.port}`,
        pid: child.pid ?? 0,
        cpu: async () => {
          const r = await ask({ type: "cpu" }, "cpu");
          return { usage: r.usage, rssBytes: r.rssBytes };
        },
        profileStart: async () => {
          await ask({ type: "profile-start" }, "profile");
        },
        profileStop: async (file) => {
          await ask({ type: "profile-stop", file }, "profile");
        },
        stop: async () => {
          if (child.exitCode === null && child.connected) child.send({ type: "stop" } satisfies ParentMessage);
          const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

/**
 * Child side: reports `port` to the parent, answers CPU and profile requests, and on "stop" (or
 * when the parent goes away) runs `close` and exits.
 */
export function serveParent(port: number, close: () => Promise<void>): void {
  const send = (m: ChildMessage) => process.send?.(m);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void close().finally(() => process.exit(0));
  };
  let session: Session | undefined;
  process.on("message", async (m: ParentMessage) => {
    if (m.type === "cpu") send({ type: "cpu", usage: process.cpuUsage(), rssBytes: process.memoryUsage.rss() });
    if (m.type === "profile-start") {
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 1000 });
      await session.post("Profiler.start");
      send({ type: "profile", file: "" });
    }
    if (m.type === "profile-stop" && session) {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      writeFileSync(m.file, JSON.stringify(profile));
      send({ type: "profile", file: m.file });
    }
    if (m.type === "stop") stop();
  });
  process.on("disconnect", stop);
  send({ type: "ready", port });
}

/** Child side: prints a startup failure, reports it to the parent and exits 1. */
export function failToParent(err: unknown): void {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(message);
  if (process.send) process.send({ type: "error", message } satisfies ChildMessage, () => process.exit(1));
  else process.exit(1);
}
