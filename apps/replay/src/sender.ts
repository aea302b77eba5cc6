/**
 * Sending one fix to an OsmAnd endpoint, with Fleetcore's ingest answers: 2xx accepted, 400 rejected
 * (the body says why), 503 + Retry-After backpressure (wait, send again), network errors and other
 * 5xx retried with exponential backoff, anything else failed.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** How one fix ended. `attempts` counts HTTP requests made (1 = no retry). */
export type SendResult =
  | { outcome: "accepted"; attempts: number }
  | { outcome: "rejected"; attempts: number; reason: string }
  | { outcome: "failed"; attempts: number; reason: string };

/** Retry policy and transport; every field has a default (see {@link DEFAULT_SEND_OPTIONS}). */
export interface SendOptions {
  /** `GET` (the default) or `POST` with the parameters in the query string, as Traccar Client does. */
  method: "GET" | "POST";
  /** How many 503 answers one fix may get before it counts as failed. */
  maxBackpressureRetries: number;
  /** How many network errors / other 5xx one fix may get before it counts as failed. */
  maxErrorRetries: number;
  /** First backoff delay, ms; doubled per retry (with ±20 % jitter). Also the wait after a 503 without Retry-After. */
  backoffBaseMs: number;
  /** Longest wait honoured from a Retry-After header, ms. */
  maxRetryAfterMs: number;
  /** Per-request timeout, ms. */
  requestTimeoutMs: number;
  /** Aborts waiting and in-flight requests (the fix then counts as failed). */
  signal?: AbortSignal;
}

/** Defaults of {@link SendOptions}. */
export const DEFAULT_SEND_OPTIONS: SendOptions = {
  method: "GET",
  maxBackpressureRetries: 10,
  maxErrorRetries: 3,
  backoffBaseMs: 250,
  maxRetryAfterMs: 60_000,
  requestTimeoutMs: 10_000,
};

/**
 * Retry-After (RFC 9110 §10.2.3) → ms to wait: delta-seconds or an HTTP-date; null when absent or
 * unreadable. Never negative.
 */
export function parseRetryAfterMs(header: string | null, nowMs = Date.now()): number | null {
  if (header === null) return null;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/**
 * A short, one-line reason from an error response body: the `message`, `error` or `reason` field of
 * a JSON body when there is one, else the text; whitespace collapsed, at most 200 characters.
 */
export function reasonFromBody(status: number, body: string): string {
  let text = body.trim();
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === "object") {
      const o = json as Record<string, unknown>;
      const field = [o.message, o.error, o.reason].find((v) => typeof v === "string" && v.trim());
      if (typeof field === "string") text = field;
    }
  } catch {
    // Not JSON: keep the text.
  }
  text = text.replace(/\s+/g, " ").trim();
  if (text.length > 200) text = `${text.slice(0, 199)}…`;
  return text || `HTTP ${status}`;
}

function backoffMs(base: number, retry: number): number {
  return base * 2 ** retry * (0.8 + Math.random() * 0.4);
}

/**
 * Sends one request to `url` (the full OsmAnd URL, query included) and retries per `options`.
 * Never throws except when `options.signal` is aborted while waiting (then rethrows the abort).
 */
export async function sendFix(url: URL, options: Partial<SendOptions> = {}): Promise<SendResult> {
  const o: SendOptions = { ...DEFAULT_SEND_OPTIONS, ...options };
  let attempts = 0;
  let backpressure = 0;
  let errors = 0;
  for (;;) {
    attempts++;
    let waitMs: number;
    try {
      const signal = o.signal
        ? AbortSignal.any([o.signal, AbortSignal.timeout(o.requestTimeoutMs)])
        : AbortSignal.timeout(o.requestTimeoutMs);
      const res = await fetch(url, { method: o.method, signal });
      const body = await res.text();
      if (res.ok) return { outcome: "accepted", attempts };
      if (res.status === 400) return { outcome: "rejected", attempts, reason: reasonFromBody(400, body) };
      if (res.status === 503) {
        if (backpressure++ >= o.maxBackpressureRetries) {
          return { outcome: "failed", attempts, reason: `HTTP 503 after ${attempts} attempts (server busy)` };
        }
        const retryAfter = parseRetryAfterMs(res.headers.get("retry-after"));
        waitMs = Math.min(retryAfter ?? backoffMs(o.backoffBaseMs, backpressure - 1), o.maxRetryAfterMs);
      } else if (res.status >= 500) {
        if (errors++ >= o.maxErrorRetries) {
          return { outcome: "failed", attempts, reason: `HTTP ${res.status}: ${reasonFromBody(res.status, body)}` };
        }
        waitMs = backoffMs(o.backoffBaseMs, errors - 1);
      } else {
        // 401/403/404/…: retrying will not help (wrong URL, or an endpoint that wants something else).
        return { outcome: "failed", attempts, reason: `HTTP ${res.status}: ${reasonFromBody(res.status, body)}` };
      }
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (errors++ >= o.maxErrorRetries) {
        return { outcome: "failed", attempts, reason: networkReason(err) };
      }
      waitMs = backoffMs(o.backoffBaseMs, errors - 1);
    }
    await sleep(waitMs, undefined, o.signal ? { signal: o.signal } : undefined);
  }
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return "request timed out";
    // undici puts the useful part (ECONNREFUSED …) in `cause`.
    const cause = err.cause;
    if (cause && typeof cause === "object" && "code" in cause && typeof cause.code === "string") {
      return `network error: ${cause.code}`;
    }
    return `network error: ${err.message}`;
  }
  return `network error: ${String(err)}`;
}
