/**
 * The one place that reads `process.env`. Everything else receives a validated {@link Env}.
 *
 * When DATABASE_URL is unset, the URL of the embedded cluster (written by `npm start` to
 * `.fleetcore/database.json` at the repository root) is used, so `pnpm db:migrate` and friends work
 * after a first `npm start` without exporting anything.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** HTTP port of the platform (API, Socket.IO, web app). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to bind; 0.0.0.0 serves the LAN, 127.0.0.1 only this machine. */
  HOST: z.string().default("0.0.0.0"),
  /**
   * PostgreSQL with TimescaleDB, as the application role: not superuser, no BYPASSRLS, owner of
   * nothing, so row-level security applies to every query (`fleetcore_app`, see the auth migration).
   */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgres:// URL" }),
  /** The role owning the database: runs migrations and the seed. Defaults to DATABASE_URL. */
  DATABASE_OWNER_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** A role allowed to CREATE DATABASE (tests create one database per run). Defaults to the owner. */
  DATABASE_ADMIN_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /**
   * Port of the OsmAnd protocol listener (Traccar Client and compatible apps), 5055 like Traccar.
   * 0 picks a free port (tests). The main port also serves it at /ingest/osmand.
   */
  OSMAND_PORT: z.coerce.number().int().min(0).max(65535).default(5055),
  /** The demo fleet simulator (drives the demo tenants' devices through the OsmAnd endpoint). Default: on, except in tests. */
  SIMULATOR: z.enum(["on", "off"]).optional(),
  /**
   * How far back (hours) each activity rollup pass re-aggregates, for positions and messages that
   * arrive late (devices buffering offline). Default 48; longer costs more per pass.
   */
  ACTIVITY_LATE_WINDOW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(48),
  /**
   * Whether tenants' GTFS-realtime feed URLs may reach loopback and private addresses ("true" or
   * "false"). Default: false in production, where such a URL would let a tenant probe the platform's
   * own network (SSRF); true otherwise, for local test feeds.
   */
  GTFS_ALLOW_PRIVATE_URLS: z.enum(["true", "false"]).optional(),
  /**
   * Public origin of the platform, used in emailed links (invitations, password resets), e.g.
   * https://fleet.example.com. Defaults to http://localhost:PORT. Its origin is also accepted as
   * the Origin of state-changing requests, besides the request's own host.
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Behind a reverse proxy (TLS termination), trust X-Forwarded-For/-Proto for the client IP and
   * the https detection that turns on the `__Host-` cookie prefix ("true" or "false").
   */
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Directory of the built web app served in production (defaults to apps/web/dist). */
  WEB_DIST_DIR: z.string().optional(),
  /**
   * Redis shared by several server processes (e.g. redis://127.0.0.1:6379): Socket.IO rooms and
   * broadcasts (namespace /live included) go through its streams (@socket.io/redis-streams-adapter).
   * Unset: one process, in-memory rooms.
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "REDIS_URL must be a redis:// or rediss:// URL" }).optional(),
  /**
   * Origin of Meta's Graph API for WhatsApp replies (default https://graph.facebook.com); tests and
   * staging point it at a local server that speaks the Cloud API's wire format.
   */
  WHATSAPP_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Stripe secret key (sk_live_… / sk_test_… / rk_…). Unset: billing is "not configured" — every
   * other part of Fleetcore works and the billing pages say so.
   */
  STRIPE_SECRET_KEY: z.string().min(8).optional(),
  /** Signing secret of the `/webhooks/stripe` endpoint (whsec_…), from the Stripe dashboard or CLI. */
  STRIPE_WEBHOOK_SECRET: z.string().min(8).optional(),
  /**
   * Origin of Stripe's API (default https://api.stripe.com); tests and staging point it at a local
   * server that speaks Stripe's wire format (the SDK's host/port/protocol options).
   */
  STRIPE_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Key that encrypts integration secrets at rest (AES-256-GCM): 32 bytes, base64 (`openssl rand
   * -base64 32`). Required in production; elsewhere, when unset, a key is generated once into
   * `.fleetcore/secrets.key` at the repository root. Losing it makes stored secrets unreadable.
   */
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "SECRETS_KEY must be 32 bytes, base64-encoded")
    .optional(),
});

/** The validated environment; DATABASE_OWNER_URL and SECRETS_KEY are always set. */
export type Env = z.infer<typeof EnvSchema> & { DATABASE_OWNER_URL: string; SECRETS_KEY: string };

/** Walks up from `start` to the directory holding pnpm-workspace.yaml (the repository root). */
export function findRepoRoot(start: string = process.cwd()): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Reads the embedded cluster's connection URLs, if `npm start` has created it. */
function embeddedDatabase(): { databaseUrl: string; ownerUrl?: string; adminUrl: string } | null {
  const root = findRepoRoot();
  const file = root && join(root, ".fleetcore", "database.json");
  if (!file || !existsSync(file)) return null;
  return JSON.parse(readFileSync(file, "utf8")) as { databaseUrl: string; ownerUrl?: string; adminUrl: string };
}

/**
 * The development key of `.fleetcore/secrets.key` (created on first use, mode 0600), or null
 * outside a checkout.
 */
function localSecretsKey(): string | null {
  const root = findRepoRoot();
  if (!root) return null;
  const file = join(root, ".fleetcore", "secrets.key");
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return readFileSync(file, "utf8").trim();
}

let cached: Env | undefined;

/**
 * Validates the environment once and caches it.
 * @throws Error listing every invalid or missing variable (e.g. "DATABASE_URL: …").
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (cached && source === process.env) return cached;
  const raw: Record<string, string | undefined> = { ...source };
  if (!raw.DATABASE_URL) {
    const embedded = embeddedDatabase();
    if (embedded) {
      raw.DATABASE_URL = embedded.databaseUrl;
      raw.DATABASE_OWNER_URL ??= embedded.ownerUrl;
      raw.DATABASE_ADMIN_URL ??= embedded.adminUrl;
    }
  }
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(
      `Invalid environment:\n${lines.join("\n")}\n(Run \`npm start\` once to create the local database, or set DATABASE_URL.)`,
    );
  }
  const secretsKey = parsed.data.SECRETS_KEY ?? (parsed.data.NODE_ENV === "production" ? null : localSecretsKey());
  if (!secretsKey) {
    throw new Error(
      "Invalid environment:\n  SECRETS_KEY: required in production (32 bytes, base64: `openssl rand -base64 32`)",
    );
  }
  const env = {
    ...parsed.data,
    DATABASE_OWNER_URL: parsed.data.DATABASE_OWNER_URL ?? parsed.data.DATABASE_URL,
    SECRETS_KEY: secretsKey,
  };
  if (source === process.env) cached = env;
  return env;
}
