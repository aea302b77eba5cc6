/**
 * The Stripe SDK client (stripe-node, pinned API version {@link Stripe.API_VERSION}) and the small
 * conventions every outbound call follows:
 * - each mutating call passes an idempotency key derived from what it does ({@link idempotencyKey}),
 *   so a retried job or a double click never creates twice (Stripe keeps keys ≥ 24 h; API reference
 *   "Idempotent requests");
 * - network errors are retried by the SDK (`maxNetworkRetries`), reusing the same key.
 * Core never reads the environment: the server builds the client from STRIPE_SECRET_KEY and
 * STRIPE_API_BASE_URL and passes {@link BillingServices} down.
 */
import { createHash } from "node:crypto";
import Stripe from "stripe";
import { DomainError } from "../errors";

export { Stripe };

/** What billing needs from the process: the client (null = billing not configured) and the webhook secret. */
export interface BillingServices {
  stripe: Stripe | null;
  /** The `/webhooks/stripe` endpoint's signing secret (whsec_…); null = webhooks refused. */
  webhookSecret: string | null;
}

/** Billing switched off (no STRIPE_SECRET_KEY). */
export const BILLING_NOT_CONFIGURED: BillingServices = { stripe: null, webhookSecret: null };

/** The message every billing action gives when Stripe is not configured. */
export const BILLING_NOT_CONFIGURED_MESSAGE =
  "Billing is not configured on this Fleetcore server (STRIPE_SECRET_KEY is not set)";

/**
 * Creates the Stripe client.
 * @param opts.secretKey sk_live_… / sk_test_… (or rk_…)
 * @param opts.apiBaseUrl origin of the API, e.g. "http://127.0.0.1:12111" for a local server that
 *   speaks Stripe's wire format (mapped to the SDK's host/port/protocol options); default api.stripe.com
 * @param opts.maxNetworkRetries retries of failed connections and 409/429/5xx answers (default 2)
 * @param opts.timeoutMs per request (default 20 s)
 */
export function createStripeClient(opts: {
  secretKey: string;
  apiBaseUrl?: string | null;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}): Stripe {
  const base = opts.apiBaseUrl ? new URL(opts.apiBaseUrl) : null;
  const protocol = base?.protocol === "http:" ? "http" : "https";
  return new Stripe(opts.secretKey, {
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    timeout: opts.timeoutMs ?? 20_000,
    telemetry: false,
    appInfo: { name: "Fleetcore", url: "https://fleetcore.example" },
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (protocol === "http" ? 80 : 443),
          protocol: protocol as "http" | "https",
        }
      : {}),
  });
}

/**
 * An idempotency key for a mutating Stripe call: `fc-<purpose>-<sha256 of the parts, 32 hex>`. The
 * same purpose and parts always give the same key (≤ 255 characters, Stripe's limit).
 * @example idempotencyKey("customer", tenantId)
 */
export function idempotencyKey(purpose: string, ...parts: Array<string | number | boolean | null | undefined>): string {
  const digest = createHash("sha256")
    .update(parts.map((p) => String(p ?? "")).join("\u001f"))
    .digest("hex")
    .slice(0, 32);
  return `fc-${purpose}-${digest}`;
}

/** True for Stripe's "No such …" answer (HTTP 404, code resource_missing). */
export function isStripeMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeError && (err.code === "resource_missing" || err.statusCode === 404);
}

/**
 * Turns a Stripe API error into a DomainError with Stripe's message (card declined, invalid
 * parameters…) so the caller sees why; anything else is rethrown as is.
 */
export function asDomainError(err: unknown): never {
  if (err instanceof Stripe.errors.StripeError && err.statusCode && err.statusCode < 500 && err.statusCode !== 429) {
    throw new DomainError(err.statusCode === 404 ? "not_found" : "invalid", `Stripe: ${err.message}`);
  }
  throw err;
}

/** Unix seconds → Date (Stripe timestamps); null stays null. */
export function fromUnix(seconds: number | null | undefined): Date | null {
  return seconds === null || seconds === undefined ? null : new Date(seconds * 1000);
}

/** Date → unix seconds (floor). */
export function toUnix(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** The id of an expandable Stripe field (`"cus_…"` or `{ id: "cus_…" }`), or null. */
export function stripeId(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}
