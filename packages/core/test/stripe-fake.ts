/**
 * A local HTTP server that speaks Stripe's wire format, for tests (Stripe cannot be reached here).
 *
 * Requests are what stripe-node sends: form-encoded bodies in bracket notation (parsed with `qs`),
 * `Authorization: Bearer sk_…`, `Stripe-Version`, `Idempotency-Key`. Answers are JSON objects shaped
 * like the API reference's (API version 2026-10-28): `object: "customer"`, ids with Stripe's
 * prefixes, `created` in unix seconds, lists `{ object: "list", data, has_more, url }`, errors
 * `{ error: { type, code, message, param } }` with Stripe's HTTP statuses. Idempotency follows
 * Stripe: the same key with the same parameters replays the first answer (`Idempotent-Replayed:
 * true`), with other parameters it is a 400 idempotency_error.
 *
 * Implemented: customers, products, prices (create, list by lookup_keys), billing meters (create,
 * list), billing meter events, checkout sessions, billing portal sessions, subscriptions (retrieve,
 * update), invoices/create_preview. Test helpers complete a checkout, build invoices, payment
 * methods and events, and sign webhook payloads with the SDK's `generateTestHeaderString`.
 * Failure injection: `failNext(method, path, { mode: "drop-after-accept" })` processes the request
 * and then closes the connection without answering (a network failure after Stripe accepted).
 * Time: `advance(seconds)` moves the fake's clock (object timestamps, the meter events' 35-day window);
 * with `start({ expireAfter24h: true })` idempotency keys and meter event identifiers are forgotten
 * 24 hours after first use, as Stripe does (a resend after that is a new request / a new event).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import qs from "qs";
import { createStripeClient, Stripe } from "../src/billing/stripe";

// biome-ignore lint/suspicious/noExplicitAny: Stripe objects are free-form JSON here
type Json = any;

/** One request as the fake received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The form body (POST) or query (GET) parsed with qs bracket notation. */
  params: Json;
  status: number;
  replayed: boolean;
}

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; code?: string; message: string; param?: string },
  ) {
    super(body.message);
  }
}

const missing = (what: string, id: string, param = "id") =>
  new StripeApiError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    message: `No such ${what}: '${id}'`,
    param,
  });
const invalid = (message: string, param?: string, code = "parameter_invalid_empty") =>
  new StripeApiError(400, { type: "invalid_request_error", code, message, ...(param ? { param } : {}) });

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** A Stripe-like id: prefix + 24 random alphanumerics (e.g. "cus_Q9…"). */
export function stripeLikeId(prefix: string): string {
  const bytes = randomBytes(24);
  let s = "";
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return `${prefix}_${s}`;
}

const MONTH_S = 30 * 86_400;
const addInterval = (start: number, interval: string) => start + (interval === "year" ? 365 * 86_400 : MONTH_S);
const bool = (v: unknown) => v === true || v === "true";

export class FakeStripe {
  readonly apiKey = `sk_test_${randomBytes(12).toString("hex")}`;
  readonly webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  url = "";
  readonly requests: RecordedRequest[] = [];
  readonly customers = new Map<string, Json>();
  readonly products = new Map<string, Json>();
  readonly prices = new Map<string, Json>();
  readonly meters = new Map<string, Json>();
  /** Accepted meter events, one per identifier. */
  readonly meterEvents = new Map<string, Json>();
  /** Every meter event Stripe counted, in order (two with one identifier when it had expired). */
  readonly acceptedMeterEvents: Json[] = [];
  /** Meter events whose identifier was already used (Stripe drops them). */
  readonly duplicateMeterEvents: Json[] = [];
  readonly checkoutSessions = new Map<string, Json>();
  readonly portalSessions = new Map<string, Json>();
  readonly subscriptions = new Map<string, Json>();
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: string; at: number }>();
  /** Seconds added to the real clock ({@link advance}). */
  private clockOffsetS = 0;
  private readonly failures: Array<{ method: string; path: string; times: number }> = [];
  /**
   * Awaited on every authorised request before it is processed (tests: what the caller holds while
   * Stripe is answering, or a change racing a call).
   */
  onRequest: ((request: RecordedRequest) => Promise<void>) | null = null;
  private readonly server: Server;
  /** For signing webhook payloads (the SDK's generateTestHeaderString). */
  private readonly signer = new Stripe("sk_test_signer");

  private constructor(private readonly options: { expireAfter24h?: boolean }) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /**
   * Starts a fake on a free port of 127.0.0.1.
   * @param options.expireAfter24h forget idempotency keys and meter event identifiers 24 h after first use
   */
  static async start(options: { expireAfter24h?: boolean } = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The fake's clock, unix seconds (the real clock plus what {@link advance} added). */
  nowS(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetS;
  }

  /** Moves the fake's clock forward by `seconds`. */
  advance(seconds: number): void {
    this.clockOffsetS += seconds;
  }

  /** True when something first used at `at` (unix s) has expired (only with `expireAfter24h`). */
  private expired(at: number): boolean {
    return this.options.expireAfter24h === true && at <= this.nowS() - 86_400;
  }

  /** A Stripe SDK client of this fake (through the SDK's host/port/protocol options). */
  client(opts: { maxNetworkRetries?: number } = {}): Stripe {
    return createStripeClient({ secretKey: this.apiKey, apiBaseUrl: this.url, ...opts });
  }

  /**
   * The next `times` requests matching `method` and `path` (exact, e.g. "/v1/billing/meter_events")
   * are processed (and their idempotent answer stored) but the connection closes without an answer.
   */
  failNext(method: string, path: string, opts: { times?: number } = {}): void {
    this.failures.push({ method, path, times: opts.times ?? 1 });
  }

  /** Requests to `path` (and `method`, if given). */
  requestsTo(path: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => (typeof path === "string" ? r.path === path : path.test(r.path)) && (!method || r.method === method),
    );
  }

  // -------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const params: Json =
      method === "GET" || method === "DELETE"
        ? qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 1000 })
        : qs.parse(rawBody, { depth: 10, arrayLimit: 1000 });
    const record: RecordedRequest = { method, path, headers: req.headers, rawBody, params, status: 0, replayed: false };
    this.requests.push(record);

    const send = (status: number, body: string, extra: Record<string, string> = {}) => {
      record.status = status;
      const failure = this.failures.find((f) => f.method === method && f.path === path && f.times > 0);
      if (failure) {
        failure.times -= 1;
        res.socket?.destroy();
        return;
      }
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": stripeLikeId("req"),
        "stripe-version": String(req.headers["stripe-version"] ?? Stripe.API_VERSION),
        ...extra,
      });
      res.end(body);
    };

    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.apiKey}`) {
      send(
        401,
        JSON.stringify({
          error: { type: "invalid_request_error", message: `Invalid API Key provided: ${auth.slice(7, 15)}****` },
        }),
      );
      return;
    }
    if (this.onRequest) await this.onRequest(record);
    const key = req.headers["idempotency-key"];
    const fingerprint = `${method} ${path} ${rawBody}`;
    if (method === "POST" && typeof key === "string") {
      const previous = this.idempotent.get(key);
      if (previous && this.expired(previous.at)) this.idempotent.delete(key);
      else if (previous) {
        if (previous.fingerprint !== fingerprint) {
          send(
            400,
            JSON.stringify({
              error: {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
              },
            }),
          );
          return;
        }
        record.replayed = true;
        send(previous.status, previous.body, { "idempotent-replayed": "true", "idempotency-key": key });
        return;
      }
    }
    let status = 200;
    let body: string;
    try {
      body = JSON.stringify(this.route(method, path, params));
    } catch (err) {
      if (!(err instanceof StripeApiError)) throw err;
      status = err.status;
      body = JSON.stringify({ error: { ...err.body, request_log_url: "https://dashboard.stripe.com/test/logs" } });
    }
    if (method === "POST" && typeof key === "string" && status < 500) {
      this.idempotent.set(key, { fingerprint, status, body, at: this.nowS() });
    }
    send(status, body, typeof key === "string" ? { "idempotency-key": key } : {});
  }

  private route(method: string, path: string, p: Json): Json {
    const [, kind, id] = path.match(/^\/v1\/(customers|products|prices|subscriptions)\/([^/]+)$/) ?? [];
    if (method === "POST" && path === "/v1/customers") return this.createCustomer(p);
    if (kind === "customers" && id) {
      const c = this.customers.get(id);
      if (!c) throw missing("customer", id);
      if (method === "POST")
        Object.assign(c, pick(p, ["name", "email"]), { metadata: { ...c.metadata, ...p.metadata } });
      return c;
    }
    if (method === "POST" && path === "/v1/products") return this.createProduct(p);
    if (kind === "products" && id) {
      const prod = this.products.get(id);
      if (!prod) throw missing("product", id);
      if (method === "POST") {
        Object.assign(prod, pick(p, ["name", "description"]), { updated: this.nowS() });
        if (p.metadata) prod.metadata = { ...prod.metadata, ...p.metadata };
      }
      return prod;
    }
    if (method === "POST" && path === "/v1/prices") return this.createPrice(p);
    if (method === "GET" && path === "/v1/prices") {
      const keys: string[] | undefined = p.lookup_keys;
      const data = [...this.prices.values()].filter(
        (x) => (!keys || keys.includes(x.lookup_key)) && (p.active === undefined || x.active === bool(p.active)),
      );
      return this.list("/v1/prices", data, p.limit);
    }
    if (kind === "prices" && id) {
      const price = this.prices.get(id);
      if (!price) throw missing("price", id);
      return price;
    }
    if (method === "POST" && path === "/v1/billing/meters") return this.createMeter(p);
    if (method === "GET" && path === "/v1/billing/meters") {
      const data = [...this.meters.values()].filter((x) => !p.status || x.status === p.status);
      return this.list("/v1/billing/meters", data, p.limit);
    }
    if (method === "POST" && path === "/v1/billing/meter_events") return this.createMeterEvent(p);
    if (method === "POST" && path === "/v1/checkout/sessions") return this.createCheckoutSession(p);
    if (method === "POST" && path === "/v1/billing_portal/sessions") return this.createPortalSession(p);
    if (kind === "subscriptions" && id) {
      const sub = this.subscriptions.get(id);
      if (!sub) throw missing("subscription", id);
      if (method === "POST") return this.updateSubscription(sub, p);
      return sub;
    }
    if (method === "POST" && path === "/v1/invoices/create_preview") return this.createPreview(p);
    throw new StripeApiError(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    });
  }

  private list(url: string, data: Json[], limit?: string): Json {
    const n = limit ? Number(limit) : 10;
    return { object: "list", data: data.slice(0, n), has_more: data.length > n, url };
  }

  // -------------------------------------------------------------------------------------------
  // Resources
  // -------------------------------------------------------------------------------------------

  private createCustomer(p: Json): Json {
    const id = stripeLikeId("cus");
    const c = {
      id,
      object: "customer",
      address: null,
      balance: 0,
      created: this.nowS(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: p.description ?? null,
      discount: null,
      email: p.email ?? null,
      invoice_prefix: id.slice(4, 12).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: p.metadata ?? {},
      name: p.name ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: "none",
      test_clock: null,
    };
    this.customers.set(id, c);
    return c;
  }

  private createProduct(p: Json): Json {
    if (!p.name) throw invalid("Missing required param: name.", "name", "parameter_missing");
    const id = p.id ?? stripeLikeId("prod");
    if (this.products.has(id)) {
      throw new StripeApiError(400, {
        type: "invalid_request_error",
        code: "resource_already_exists",
        message: "Product already exists.",
        param: "id",
      });
    }
    const prod = {
      id,
      object: "product",
      active: true,
      created: this.nowS(),
      default_price: null,
      description: p.description ?? null,
      images: [],
      livemode: false,
      marketing_features: [],
      metadata: p.metadata ?? {},
      name: p.name,
      package_dimensions: null,
      shippable: null,
      statement_descriptor: null,
      tax_code: null,
      unit_label: null,
      updated: this.nowS(),
      url: null,
    };
    this.products.set(id, prod);
    return prod;
  }

  private createPrice(p: Json): Json {
    if (!p.currency) throw invalid("Missing required param: currency.", "currency", "parameter_missing");
    if (!p.product || !this.products.has(p.product)) throw missing("product", String(p.product), "product");
    const recurring = p.recurring;
    if (recurring?.usage_type === "metered" && !this.meters.has(recurring.meter)) {
      throw missing("billing.meter", String(recurring.meter), "recurring[meter]");
    }
    if (p.lookup_key && [...this.prices.values()].some((x) => x.lookup_key === p.lookup_key && x.active)) {
      throw invalid(
        `A price (\`${[...this.prices.values()].find((x) => x.lookup_key === p.lookup_key)?.id}\`) already uses that lookup key.`,
        "lookup_key",
        "lookup_key_already_exists",
      );
    }
    const decimal: string | undefined = p.unit_amount_decimal;
    if (p.unit_amount === undefined && decimal === undefined) {
      throw invalid("Missing required param: unit_amount.", "unit_amount", "parameter_missing");
    }
    if (decimal !== undefined && !/^\d+(\.\d{1,12})?$/.test(decimal)) {
      throw invalid("Invalid decimal: at most 12 decimal places", "unit_amount_decimal", "parameter_invalid_decimal");
    }
    const unitAmount =
      p.unit_amount !== undefined ? Number(p.unit_amount) : Number.isInteger(Number(decimal)) ? Number(decimal) : null;
    const id = stripeLikeId("price");
    const price = {
      id,
      object: "price",
      active: true,
      billing_scheme: "per_unit",
      created: this.nowS(),
      currency: String(p.currency).toLowerCase(),
      custom_unit_amount: null,
      livemode: false,
      lookup_key: p.lookup_key ?? null,
      metadata: p.metadata ?? {},
      nickname: p.nickname ?? null,
      product: p.product,
      recurring: recurring
        ? {
            interval: recurring.interval,
            interval_count: Number(recurring.interval_count ?? 1),
            meter: recurring.meter ?? null,
            trial_period_days: null,
            usage_type: recurring.usage_type ?? "licensed",
          }
        : null,
      tax_behavior: "unspecified",
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? "recurring" : "one_time",
      unit_amount: unitAmount,
      unit_amount_decimal: decimal ?? String(p.unit_amount),
    };
    this.prices.set(id, price);
    return price;
  }

  private createMeter(p: Json): Json {
    for (const param of ["display_name", "event_name"]) {
      if (!p[param]) throw invalid(`Missing required param: ${param}.`, param, "parameter_missing");
    }
    if (!p.default_aggregation?.formula) {
      throw invalid(
        "Missing required param: default_aggregation[formula].",
        "default_aggregation[formula]",
        "parameter_missing",
      );
    }
    if ([...this.meters.values()].some((x) => x.event_name === p.event_name && x.status === "active")) {
      throw invalid(
        `An active meter with event_name ${p.event_name} already exists.`,
        "event_name",
        "parameter_invalid",
      );
    }
    const id = `mtr_test_${randomBytes(12).toString("hex")}`;
    const meter = {
      id,
      object: "billing.meter",
      created: this.nowS(),
      customer_mapping: {
        event_payload_key: p.customer_mapping?.event_payload_key ?? "stripe_customer_id",
        type: p.customer_mapping?.type ?? "by_id",
      },
      default_aggregation: { formula: p.default_aggregation.formula },
      display_name: p.display_name,
      event_name: p.event_name,
      event_time_window: p.event_time_window ?? null,
      livemode: false,
      status: "active",
      status_transitions: { deactivated_at: null },
      updated: this.nowS(),
      value_settings: { event_payload_key: p.value_settings?.event_payload_key ?? "value" },
    };
    this.meters.set(id, meter);
    return meter;
  }

  private createMeterEvent(p: Json): Json {
    const meter = [...this.meters.values()].find((x) => x.event_name === p.event_name && x.status === "active");
    if (!meter)
      throw invalid(`No active meter was found for event name ${p.event_name}.`, "event_name", "parameter_invalid");
    const payload = p.payload ?? {};
    const customer = payload[meter.customer_mapping.event_payload_key];
    if (!customer || !this.customers.has(customer)) {
      throw missing("customer", String(customer), `payload[${meter.customer_mapping.event_payload_key}]`);
    }
    const value = payload[meter.value_settings.event_payload_key];
    if (value === undefined || !/^\d+$/.test(String(value))) {
      throw invalid(
        "The meter event value must be a whole number.",
        `payload[${meter.value_settings.event_payload_key}]`,
      );
    }
    const timestamp = p.timestamp ? Number(p.timestamp) : this.nowS();
    if (timestamp < this.nowS() - 35 * 86_400 || timestamp > this.nowS() + 5 * 60) {
      throw invalid(
        "Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.",
        "timestamp",
      );
    }
    const event = {
      object: "billing.meter_event",
      created: this.nowS(),
      event_name: p.event_name,
      identifier: p.identifier ?? stripeLikeId("mev"),
      livemode: false,
      payload,
      timestamp,
    };
    const earlier = this.meterEvents.get(event.identifier);
    if (earlier && !this.expired(earlier.created)) this.duplicateMeterEvents.push(event);
    else {
      this.meterEvents.set(event.identifier, event);
      this.acceptedMeterEvents.push(event);
    }
    return event;
  }

  private createCheckoutSession(p: Json): Json {
    if (p.mode !== "subscription") throw invalid("This fake only implements mode=subscription.", "mode");
    if (p.customer && !this.customers.has(p.customer)) throw missing("customer", p.customer, "customer");
    const items: Json[] = p.line_items ?? [];
    if (items.length === 0)
      throw invalid("line_items is required in subscription mode.", "line_items", "parameter_missing");
    items.forEach((li, i) => {
      const price = this.prices.get(li.price);
      if (!price) throw missing("price", String(li.price), `line_items[${i}][price]`);
      if (price.recurring?.usage_type === "metered" && li.quantity !== undefined) {
        throw invalid(
          "Quantity should not be specified where usage_type is `metered`. Remove quantity.",
          `line_items[${i}][quantity]`,
          "parameter_unknown",
        );
      }
      if (price.recurring?.usage_type !== "metered" && li.quantity === undefined) {
        throw invalid(
          `Quantity is required. Add \`quantity\` to \`line_items[${i}]\``,
          `line_items[${i}][quantity]`,
          "parameter_missing",
        );
      }
    });
    const id = `cs_test_${randomBytes(20).toString("hex")}`;
    const session = {
      id,
      object: "checkout.session",
      after_expiration: null,
      allow_promotion_codes: p.allow_promotion_codes === undefined ? null : p.allow_promotion_codes === "true",
      amount_subtotal: null,
      amount_total: null,
      billing_address_collection: null,
      cancel_url: p.cancel_url ?? null,
      client_reference_id: p.client_reference_id ?? null,
      created: this.nowS(),
      currency: this.prices.get(items[0].price)?.currency ?? null,
      customer: p.customer ?? null,
      customer_details: null,
      customer_email: null,
      expires_at: this.nowS() + 86_400,
      invoice: null,
      livemode: false,
      metadata: p.metadata ?? {},
      mode: "subscription",
      payment_intent: null,
      payment_status: "unpaid",
      status: "open",
      subscription: null,
      success_url: p.success_url ?? null,
      ui_mode: "hosted",
      url: `https://checkout.stripe.com/c/pay/${id}`,
      // Kept for completeCheckout (not part of Stripe's object).
      _line_items: items,
      _subscription_data: p.subscription_data ?? {},
    };
    this.checkoutSessions.set(id, session);
    return publicCopy(session);
  }

  private createPortalSession(p: Json): Json {
    if (!p.customer || !this.customers.has(p.customer)) throw missing("customer", String(p.customer), "customer");
    const id = stripeLikeId("bps");
    const session = {
      id,
      object: "billing_portal.session",
      configuration: "bpc_fake",
      created: this.nowS(),
      customer: p.customer,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: p.return_url ?? null,
      url: `https://billing.stripe.com/p/session/test_${randomBytes(16).toString("hex")}`,
    };
    this.portalSessions.set(id, session);
    return session;
  }

  private subscriptionItem(subId: string, price: Json, quantity: number | undefined, start: number): Json {
    return {
      id: stripeLikeId("si"),
      object: "subscription_item",
      billing_thresholds: null,
      created: this.nowS(),
      current_period_end: addInterval(start, price.recurring?.interval ?? "month"),
      current_period_start: start,
      discounts: [],
      metadata: {},
      plan: {
        id: price.id,
        object: "plan",
        active: true,
        amount: price.unit_amount,
        amount_decimal: price.unit_amount_decimal,
        billing_scheme: "per_unit",
        created: price.created,
        currency: price.currency,
        interval: price.recurring?.interval,
        interval_count: price.recurring?.interval_count ?? 1,
        livemode: false,
        metadata: {},
        meter: price.recurring?.meter ?? null,
        nickname: price.nickname,
        product: price.product,
        usage_type: price.recurring?.usage_type,
      },
      price,
      ...(price.recurring?.usage_type === "metered" ? {} : { quantity: quantity ?? 1 }),
      subscription: subId,
      tax_rates: [],
    };
  }

  private updateSubscription(sub: Json, p: Json): Json {
    const items: Json[] = p.items ?? [];
    items.forEach((change, i) => {
      const price = change.price ? this.prices.get(change.price) : null;
      if (change.price && !price) throw missing("price", String(change.price), `items[${i}][price]`);
      if (change.id) {
        const item = sub.items.data.find((x: Json) => x.id === change.id);
        if (!item) throw missing("subscription_item", String(change.id), `items[${i}][id]`);
        if (price) {
          const intervalChanged = item.price.recurring?.interval !== price.recurring?.interval;
          const replaced = this.subscriptionItem(
            sub.id,
            price,
            item.quantity,
            intervalChanged ? this.nowS() : item.current_period_start,
          );
          replaced.id = item.id;
          Object.assign(item, replaced);
        }
      } else if (price) {
        sub.items.data.push(
          this.subscriptionItem(sub.id, price, change.quantity ? Number(change.quantity) : undefined, this.nowS()),
        );
      }
    });
    if (p.cancel_at_period_end !== undefined) {
      sub.cancel_at_period_end = bool(p.cancel_at_period_end);
      sub.cancel_at = sub.cancel_at_period_end ? sub.items.data[0].current_period_end : null;
      sub.canceled_at = sub.cancel_at_period_end ? this.nowS() : null;
    }
    if (p.metadata) sub.metadata = { ...sub.metadata, ...p.metadata };
    sub._last_update = p;
    return publicCopy(sub);
  }

  private createPreview(p: Json): Json {
    const sub = p.subscription ? this.subscriptions.get(p.subscription) : null;
    if (p.subscription && !sub) throw missing("subscription", p.subscription, "subscription");
    if (!p.customer || !this.customers.has(p.customer)) throw missing("customer", String(p.customer), "customer");
    const details = p.subscription_details ?? {};
    const prorationDate = details.proration_date ? Number(details.proration_date) : this.nowS();
    const lines: Json[] = [];
    for (const change of (details.items ?? []) as Json[]) {
      const item = sub?.items.data.find((x: Json) => x.id === change.id);
      const price = this.prices.get(change.price);
      if (!price) throw missing("price", String(change.price), "subscription_details[items][][price]");
      if (price.recurring?.usage_type === "metered") continue;
      if (item && item.price.id !== price.id) {
        const span = item.current_period_end - item.current_period_start;
        const remaining = Math.max(0, item.current_period_end - prorationDate) / span;
        const day = new Date(prorationDate * 1000).toUTCString().slice(5, 16);
        lines.push(
          this.line(
            sub,
            item,
            item.price,
            -Math.round(item.price.unit_amount * remaining),
            `Unused time on ${item.price.nickname} after ${day}`,
            true,
          ),
          this.line(
            sub,
            item,
            price,
            Math.round(price.unit_amount * remaining),
            `Remaining time on ${price.nickname} after ${day}`,
            true,
          ),
        );
      }
      lines.push(this.line(sub, item, price, price.unit_amount, `1 × ${price.nickname}`, false));
    }
    if (sub && !details.items) {
      // The subscription as it stands: each licensed item for the next period, and the metered item's
      // usage reported in the current period (Σ meter event values × unit_amount_decimal, rounded once).
      for (const item of sub.items.data as Json[]) {
        if (item.price.recurring?.usage_type === "metered") {
          const usage = this.acceptedMeterEvents
            .filter(
              (e) =>
                e.payload.stripe_customer_id === sub.customer &&
                e.timestamp >= item.current_period_start &&
                e.timestamp < item.current_period_end,
            )
            .reduce((sum, e) => sum + Number(e.payload.value), 0);
          const line = this.line(
            sub,
            item,
            item.price,
            Math.round(usage * Number(item.price.unit_amount_decimal)),
            `${usage} × ${item.price.nickname}`,
            false,
          );
          line.quantity = usage;
          lines.push(line);
        } else {
          const qty = item.quantity ?? 1;
          lines.push(
            this.line(sub, item, item.price, item.price.unit_amount * qty, `${qty} × ${item.price.nickname}`, false),
          );
        }
      }
    }
    const total = lines.reduce((s, l) => s + l.amount, 0);
    return this.invoiceObject({
      id: `upcoming_in_${randomBytes(12).toString("hex")}`,
      customer: p.customer,
      subscription: sub?.id ?? null,
      currency: sub?.currency ?? "usd",
      status: "draft",
      lines,
      total,
      billing_reason: "upcoming",
    });
  }

  private line(
    sub: Json,
    item: Json | undefined,
    price: Json,
    amount: number,
    description: string,
    proration: boolean,
  ): Json {
    return {
      id: stripeLikeId("il"),
      object: "line_item",
      amount,
      currency: price.currency,
      description,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: null,
      livemode: false,
      metadata: {},
      parent: {
        type: "subscription_item_details",
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: proration ? stripeLikeId("ii") : null,
          proration,
          proration_details: { credited_items: null },
          subscription: sub?.id ?? null,
          subscription_item: item?.id ?? stripeLikeId("si"),
        },
      },
      period: {
        start: item?.current_period_start ?? this.nowS(),
        end: item?.current_period_end ?? this.nowS() + MONTH_S,
      },
      pretax_credit_amounts: [],
      pricing: {
        type: "price_details",
        price_details: { price: price.id, product: price.product },
        unit_amount_decimal: price.unit_amount_decimal,
      },
      quantity: price.recurring?.usage_type === "metered" ? 0 : 1,
      quantity_decimal: price.recurring?.usage_type === "metered" ? "0" : "1",
      subscription: sub?.id ?? null,
      taxes: [],
    };
  }

  // -------------------------------------------------------------------------------------------
  // Test helpers (what Stripe would do on its side)
  // -------------------------------------------------------------------------------------------

  /**
   * The customer pays the Checkout session: Stripe creates the subscription (trialing with
   * `trialDays`, else active) from the session's line items. Returns both, as Stripe has them.
   */
  completeCheckout(
    sessionId: string,
    opts: { trialDays?: number; start?: number } = {},
  ): { session: Json; subscription: Json } {
    const session = this.checkoutSessions.get(sessionId);
    if (!session) throw new Error(`no checkout session ${sessionId}`);
    const start = opts.start ?? this.nowS();
    const subId = stripeLikeId("sub");
    const firstPrice = this.prices.get(session._line_items[0].price);
    const sub: Json = {
      id: subId,
      object: "subscription",
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: start,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: null, type: "classic" },
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: "charge_automatically",
      created: start,
      currency: firstPrice?.currency ?? "usd",
      customer: session.customer,
      days_until_due: null,
      default_payment_method: null,
      default_source: null,
      description: null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: "self" } },
      items: {
        object: "list",
        data: [] as Json[],
        has_more: false,
        url: `/v1/subscription_items?subscription=${subId}`,
      },
      latest_invoice: null,
      livemode: false,
      metadata: session._subscription_data.metadata ?? {},
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: "off",
      },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: start,
      status: opts.trialDays ? "trialing" : "active",
      test_clock: null,
      transfer_data: null,
      trial_end: opts.trialDays ? start + opts.trialDays * 86_400 : null,
      trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
      trial_start: opts.trialDays ? start : null,
    };
    for (const li of session._line_items) {
      const price = this.prices.get(li.price);
      sub.items.data.push(this.subscriptionItem(subId, price, li.quantity ? Number(li.quantity) : undefined, start));
    }
    this.subscriptions.set(subId, sub);
    Object.assign(session, {
      status: "complete",
      payment_status: opts.trialDays ? "no_payment_required" : "paid",
      subscription: subId,
      customer_details: { email: this.customers.get(session.customer)?.email ?? null, name: null },
    });
    return { session: publicCopy(session), subscription: publicCopy(sub) };
  }

  /** Changes a subscription as Stripe would (status, trial end, ended_at…); returns its current state. */
  patchSubscription(id: string, patch: Json): Json {
    const sub = this.subscriptions.get(id);
    if (!sub) throw new Error(`no subscription ${id}`);
    Object.assign(sub, patch);
    return publicCopy(sub);
  }

  /** The current state of a subscription (a deep copy: later changes do not alter it). */
  subscription(id: string): Json {
    const sub = this.subscriptions.get(id);
    if (!sub) throw new Error(`no subscription ${id}`);
    return publicCopy(sub);
  }

  /**
   * An invoice of a subscription with lines of the given kinds (base: the licensed item's price,
   * overage: the metered item with `quantity` vehicle-days at its decimal price, proration).
   */
  invoice(
    subId: string,
    opts: {
      id?: string;
      status: "draft" | "open" | "paid" | "uncollectible" | "void";
      number?: string | null;
      created?: number;
      attemptCount?: number;
      nextPaymentAttempt?: number | null;
      lines: Array<{
        kind: "base" | "overage" | "proration";
        amount?: number;
        quantity?: number;
        description?: string;
      }>;
      /** A coupon's amount off the subtotal (Invoice.total_discount_amounts), minor units. */
      discount?: number;
    },
  ): Json {
    const sub = this.subscriptions.get(subId);
    if (!sub) throw new Error(`no subscription ${subId}`);
    const base = sub.items.data.find((i: Json) => i.price.recurring?.usage_type !== "metered");
    const overage = sub.items.data.find((i: Json) => i.price.recurring?.usage_type === "metered");
    const lines = opts.lines.map((l) => {
      const item = l.kind === "overage" ? overage : base;
      const qty = l.quantity ?? 1;
      const amount =
        l.amount ??
        (l.kind === "overage"
          ? Math.round(qty * Number(item.price.unit_amount_decimal))
          : item.price.unit_amount * qty);
      const line = this.line(
        sub,
        item,
        item.price,
        amount,
        l.description ?? `${qty} × ${item.price.nickname}`,
        l.kind === "proration",
      );
      line.quantity = qty;
      line.quantity_decimal = String(qty);
      return line;
    });
    const subtotal = lines.reduce((s, l) => s + l.amount, 0);
    const discount = Math.min(Math.max(0, subtotal), opts.discount ?? 0);
    const total = subtotal - discount;
    return this.invoiceObject({
      subtotal,
      total_discount_amounts: discount > 0 ? [{ amount: discount, discount: stripeLikeId("di") }] : [],
      id: opts.id ?? stripeLikeId("in"),
      customer: sub.customer,
      subscription: subId,
      currency: sub.currency,
      status: opts.status,
      number: opts.number ?? null,
      lines,
      total,
      created: opts.created,
      attempt_count: opts.attemptCount ?? (opts.status === "paid" ? 1 : 0),
      next_payment_attempt: opts.nextPaymentAttempt ?? null,
      billing_reason: "subscription_cycle",
    });
  }

  private invoiceObject(o: Json): Json {
    const created = o.created ?? this.nowS();
    const paid = o.status === "paid";
    const finalized = o.status !== "draft";
    return {
      id: o.id,
      object: "invoice",
      account_country: "US",
      account_name: "Fleetcore",
      account_tax_ids: null,
      amount_due: Math.max(0, o.total),
      amount_overpaid: 0,
      amount_paid: paid ? Math.max(0, o.total) : 0,
      amount_remaining: paid ? 0 : Math.max(0, o.total),
      amount_shipping: 0,
      application: null,
      attempt_count: o.attempt_count ?? 0,
      attempted: (o.attempt_count ?? 0) > 0,
      auto_advance: !paid,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
      automatically_finalizes_at: null,
      billing_reason: o.billing_reason ?? "subscription_cycle",
      collection_method: "charge_automatically",
      created,
      currency: o.currency,
      custom_fields: null,
      customer: o.customer,
      customer_account: null,
      customer_address: null,
      customer_email: this.customers.get(o.customer)?.email ?? null,
      customer_name: this.customers.get(o.customer)?.name ?? null,
      customer_phone: null,
      customer_shipping: null,
      customer_tax_exempt: "none",
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      due_date: null,
      effective_at: finalized ? created : null,
      ending_balance: finalized ? 0 : null,
      footer: null,
      from_invoice: null,
      hosted_invoice_url: finalized ? `https://invoice.stripe.com/i/acct_fake/test_${o.id}` : null,
      invoice_pdf: finalized ? `https://pay.stripe.com/invoice/acct_fake/test_${o.id}/pdf` : null,
      issuer: { type: "self" },
      last_finalization_error: null,
      latest_revision: null,
      lines: { object: "list", data: o.lines, has_more: false, url: `/v1/invoices/${o.id}/lines` },
      livemode: false,
      metadata: {},
      next_payment_attempt: o.next_payment_attempt ?? null,
      number: o.number ?? null,
      on_behalf_of: null,
      parent: o.subscription
        ? {
            type: "subscription_details",
            quote_details: null,
            subscription_details: { metadata: {}, subscription: o.subscription },
          }
        : null,
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      period_end: created,
      period_start: created - MONTH_S,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0,
      receipt_number: null,
      rendering: null,
      shipping_cost: null,
      shipping_details: null,
      starting_balance: 0,
      statement_descriptor: null,
      status: o.status,
      status_transitions: {
        finalized_at: finalized ? created : null,
        marked_uncollectible_at: null,
        paid_at: paid ? created : null,
        voided_at: null,
      },
      subtotal: o.subtotal ?? o.total,
      subtotal_excluding_tax: o.subtotal ?? o.total,
      test_clock: null,
      total: o.total,
      total_discount_amounts: o.total_discount_amounts ?? [],
      total_excluding_tax: o.total,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: finalized ? created : null,
    };
  }

  /** A card PaymentMethod attached to `customer` (customer null: as in payment_method.detached). */
  paymentMethod(
    customer: string | null,
    card: { id?: string; brand?: string; last4?: string; expMonth?: number; expYear?: number } = {},
  ): Json {
    return {
      id: card.id ?? stripeLikeId("pm"),
      object: "payment_method",
      allow_redisplay: "always",
      billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
      card: {
        brand: card.brand ?? "visa",
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        display_brand: card.brand ?? "visa",
        exp_month: card.expMonth ?? 12,
        exp_year: card.expYear ?? 2030,
        fingerprint: randomBytes(8).toString("hex"),
        funding: "credit",
        generated_from: null,
        last4: card.last4 ?? "4242",
        networks: { available: [card.brand ?? "visa"], preferred: null },
        regulated_status: "unregulated",
        three_d_secure_usage: { supported: true },
        wallet: null,
      },
      created: this.nowS(),
      customer,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: "card",
    };
  }

  /** A Stripe Event of `type` carrying `object` (a deep copy), created at `created` (unix s, default now). */
  event(type: string, object: Json, opts: { created?: number; previousAttributes?: Json } = {}): Json {
    return {
      id: stripeLikeId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: opts.created ?? this.nowS(),
      data: {
        object: publicCopy(object),
        ...(opts.previousAttributes ? { previous_attributes: opts.previousAttributes } : {}),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** The JSON body and the `Stripe-Signature` header of a delivery of `event` (SDK's test header helper). */
  signed(event: Json, secret = this.webhookSecret): { payload: string; header: string } {
    const payload = JSON.stringify(event, null, 2);
    return { payload, header: this.signer.webhooks.generateTestHeaderString({ payload, secret }) };
  }
}

function pick(o: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** A deep copy without the fake's private `_…` fields. */
function publicCopy(o: Json): Json {
  return JSON.parse(JSON.stringify(o, (k, v) => (k.startsWith("_") ? undefined : v)));
}
