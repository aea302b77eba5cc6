/**
 * Stripe webhook events → local billing state (Stripe is the source of truth; API reference:
 * "Events", "Webhooks", and the Subscription, Invoice, PaymentMethod and Checkout Session objects
 * of API version 2026-10-28).
 *
 * Exactly once: the event id is inserted into bil_stripe_events in the same transaction as its
 * effects; a redelivery finds it and changes nothing. Never backwards: each mirrored row keeps the
 * `created` of the newest event applied (stripe_event_created_at) and an older event is ignored;
 * invoices also never move down the status rank (draft < open < uncollectible < paid|void), so
 * `invoice.finalized` delivered after `invoice.paid` leaves the invoice paid; a canceled
 * subscription never comes back. Every event row records its outcome: "applied",
 * "ignored: older than the stored state", "ignored: unknown customer", "unhandled type"…
 *
 * Handled: checkout.session.completed, customer.subscription.created/updated/deleted (and
 * paused/resumed), invoice.created/finalized/updated/paid/payment_succeeded/payment_failed/voided/
 * marked_uncollectible, payment_method.attached/detached/updated, customer.updated (default payment method).
 */
import { type Db, type Prisma, type PrismaClient, withScope } from "@fleetcore/db";
import type { InvoiceLineKind, InvoiceStatus, SubscriptionStatus } from "@fleetcore/validators";
import { INVOICE_STATUSES, SUBSCRIPTION_STATUSES } from "@fleetcore/validators";
import type { CreatedNotification } from "../notifications/notifications";
import { type BillingEmail, notifyTenantOwners, reactivateIfSuspendedForPayment } from "./dunning";
import {
  countsAsMrr,
  discountedMonthlyMinor,
  formatMinor,
  isStripeUnitDecimal,
  type MrrCoupon,
  monthlyAmountMinor,
} from "./money";
import { fromUnix, isStripeMissing, type Stripe, stripeId } from "./stripe";

/** Outcomes recorded on bil_stripe_events.outcome. */
export const OUTCOME = {
  applied: "applied",
  older: "ignored: older than the stored state",
  ended: "ignored: the subscription already ended",
  rank: "ignored: the invoice is already further along",
  unknownCustomer: "ignored: unknown customer",
  unknownObject: "ignored: unknown object",
  unhandled: "unhandled type",
} as const;

const ENDED_STATUSES: ReadonlySet<string> = new Set(["canceled", "incomplete_expired"]);

/** Invoice status rank: an event never moves an invoice to a lower rank. */
const INVOICE_RANK: Record<InvoiceStatus, number> = { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 };

/**
 * Verifies a webhook delivery with the SDK (`stripe.webhooks.constructEvent`: HMAC-SHA256 of
 * "<t>.<raw body>" under the endpoint secret, 5-minute tolerance) and parses the event.
 * @param rawBody the exact bytes received (never a re-serialised JSON)
 * @returns the event, or the reason to answer 400 with
 */
export function verifyStripeWebhook(
  stripe: Stripe,
  rawBody: Buffer | string,
  signature: string | string[] | undefined,
  secret: string,
): { ok: true; event: Stripe.Event } | { ok: false; reason: string } {
  if (!signature || (Array.isArray(signature) && signature.length === 0)) {
    return { ok: false, reason: "missing Stripe-Signature header" };
  }
  try {
    const event = stripe.webhooks.constructEvent(
      rawBody,
      Array.isArray(signature) ? signature.join(",") : signature,
      secret,
    );
    if (!event || typeof event.id !== "string" || typeof event.type !== "string" || !event.data?.object) {
      return { ok: false, reason: "the body is not a Stripe event" };
    }
    return { ok: true, event };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** What processing did. */
export interface StripeEventResult {
  /** The event id was already stored: nothing was done again. */
  duplicate: boolean;
  outcome: string;
  tenantId: string | null;
  /** In-app notifications created (emit on the recipients' rooms after commit). */
  notifications: CreatedNotification[];
}

/** Objects fetched from Stripe before the transaction (never call the network while holding locks). */
interface Prefetched {
  subscription?: Stripe.Subscription;
  invoiceLines?: Stripe.InvoiceLineItem[];
}

/** The subscription as Stripe has it now, or null when Stripe no longer knows it. */
async function liveSubscription(stripe: Stripe, id: string): Promise<Stripe.Subscription | null> {
  try {
    // Discounts with their coupons: MRR is net of lasting discounts (money.ts discountedMonthlyMinor).
    return await stripe.subscriptions.retrieve(id, { expand: ["discounts.source.coupon"] });
  } catch (err) {
    if (isStripeMissing(err)) return null;
    throw err;
  }
}

/**
 * What the event does not carry, fetched before the transaction. Subscriptions are always read live
 * (for checkout.session.completed and every customer.subscription.* event): `created` has whole
 * seconds, so two events of one second cannot be ordered by it — applying Stripe's current state
 * makes their order irrelevant (the later of them applies the same, newest, state).
 */
async function prefetch(stripe: Stripe | null, event: Stripe.Event): Promise<Prefetched> {
  if (!stripe) return {};
  if (event.type === "checkout.session.completed") {
    const session = event.data.object;
    const subscription = session.subscription;
    if (typeof subscription === "string") {
      const live = await liveSubscription(stripe, subscription);
      return live ? { subscription: live } : {};
    }
    return subscription ? { subscription } : {};
  }
  if (event.type.startsWith("customer.subscription.")) {
    const live = await liveSubscription(stripe, (event.data.object as Stripe.Subscription).id);
    return live ? { subscription: live } : {};
  }
  if (event.type.startsWith("invoice.")) {
    const invoice = event.data.object as Stripe.Invoice;
    if (invoice.id && invoice.lines?.has_more) {
      const lines: Stripe.InvoiceLineItem[] = [];
      for await (const line of stripe.invoices.listLineItems(invoice.id, { limit: 100 })) lines.push(line);
      return { invoiceLines: lines };
    }
  }
  return {};
}

/**
 * Applies one verified Stripe event, exactly once, in one system-scope transaction (the event row,
 * its effects, MRR change rows, lifecycle events and notifications commit together). A redelivery of
 * a stored event id answers `duplicate` without calling Stripe; otherwise Stripe is read first,
 * outside the transaction (the live subscription of a completed checkout or of any
 * customer.subscription.* event, the rest of a long invoice's lines).
 * @param deps.stripe the client (null: nothing is fetched)
 * @param deps.email where the owners' email copies go (dunning notices)
 * @throws what the database or Stripe throws (the caller answers 5xx and Stripe redelivers)
 */
export async function processStripeEvent(
  prisma: PrismaClient,
  event: Stripe.Event,
  deps: { stripe: Stripe | null; email?: BillingEmail },
): Promise<StripeEventResult> {
  const stored = await withScope(prisma, { kind: "system" }, (db) =>
    db.bilStripeEvent.findUnique({ where: { id: event.id } }),
  );
  if (stored) return { duplicate: true, outcome: stored.outcome ?? "", tenantId: stored.tenantId, notifications: [] };
  const extra = await prefetch(deps.stripe, event);
  return withScope(prisma, { kind: "system" }, async (db) => {
    const object = event.data.object as { id?: string };
    const created = new Date(event.created * 1000);
    const inserted = await db.$executeRaw`
      INSERT INTO bil_stripe_events (id, type, object_id, created_at)
      VALUES (${event.id}, ${event.type}, ${object.id ?? null}, ${created})
      ON CONFLICT (id) DO NOTHING`;
    if (inserted === 0) {
      const row = await db.bilStripeEvent.findUnique({ where: { id: event.id } });
      return { duplicate: true, outcome: row?.outcome ?? "", tenantId: row?.tenantId ?? null, notifications: [] };
    }
    const ctx: EventContext = { db, event, created, extra, email: deps.email, notifications: [] };
    const { outcome, tenantId } = await dispatch(ctx);
    await db.bilStripeEvent.update({
      where: { id: event.id },
      data: { outcome, tenantId, processedAt: new Date() },
    });
    return { duplicate: false, outcome, tenantId, notifications: ctx.notifications };
  });
}

interface EventContext {
  db: Db;
  event: Stripe.Event;
  created: Date;
  extra: Prefetched;
  email: BillingEmail | undefined;
  notifications: CreatedNotification[];
}

type Handled = { outcome: string; tenantId: string | null };

async function dispatch(ctx: EventContext): Promise<Handled> {
  const { event } = ctx;
  switch (event.type) {
    case "checkout.session.completed":
      return onCheckoutCompleted(ctx, event.data.object);
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.paused":
    case "customer.subscription.resumed": {
      // Stripe's current state (prefetch), else the event's copy (no client, or Stripe lost it).
      const sub = ctx.extra.subscription ?? event.data.object;
      const tenantId = await tenantForSubscription(ctx.db, sub);
      if (!tenantId) return { outcome: OUTCOME.unknownCustomer, tenantId: null };
      return { outcome: await applySubscription(ctx, tenantId, sub), tenantId };
    }
    case "invoice.created":
    case "invoice.finalized":
    case "invoice.updated":
    case "invoice.paid":
    case "invoice.payment_succeeded":
    case "invoice.payment_failed":
    case "invoice.voided":
    case "invoice.marked_uncollectible":
      return onInvoice(ctx, event.data.object);
    case "payment_method.attached":
    case "payment_method.updated":
    case "payment_method.automatically_updated":
      return onPaymentMethodAttached(ctx, event.data.object);
    case "payment_method.detached":
      return onPaymentMethodDetached(ctx, event.data.object);
    case "customer.updated":
      return onCustomerUpdated(ctx, event.data.object);
    default:
      return { outcome: OUTCOME.unhandled, tenantId: null };
  }
}

// ---------------------------------------------------------------------------------------------
// Tenants
// ---------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function tenantForCustomer(db: Db, customer: string | null): Promise<string | null> {
  if (!customer) return null;
  const account = await db.bilBillingAccount.findUnique({ where: { stripeCustomerId: customer } });
  return account?.tenantId ?? null;
}

/** The subscription's tenant: by its Stripe Customer's billing account, else its metadata (checked). */
async function tenantForSubscription(db: Db, sub: Stripe.Subscription): Promise<string | null> {
  const byCustomer = await tenantForCustomer(db, stripeId(sub.customer));
  if (byCustomer) return byCustomer;
  const existing = await db.bilTenantSubscription.findUnique({ where: { stripeSubscriptionId: sub.id } });
  return existing?.tenantId ?? null;
}

// ---------------------------------------------------------------------------------------------
// Checkout
// ---------------------------------------------------------------------------------------------

async function onCheckoutCompleted(ctx: EventContext, session: Stripe.Checkout.Session): Promise<Handled> {
  const { db } = ctx;
  const claimed = session.client_reference_id ?? session.metadata?.fleetcore_tenant_id ?? null;
  const customer = stripeId(session.customer);
  if (session.mode !== "subscription" || !customer)
    return { outcome: "ignored: not a subscription checkout", tenantId: null };
  let tenantId = await tenantForCustomer(db, customer);
  if (!tenantId && claimed && UUID.test(claimed)) {
    const tenant = await db.tenant.findFirst({ where: { id: claimed, deletedAt: null }, select: { id: true } });
    if (tenant) {
      const account = await db.bilBillingAccount.findUnique({ where: { tenantId: tenant.id } });
      if (account && account.stripeCustomerId !== customer) {
        return { outcome: `ignored: the tenant's customer is ${account.stripeCustomerId}`, tenantId: tenant.id };
      }
      if (!account) {
        await db.bilBillingAccount.create({
          data: {
            tenantId: tenant.id,
            stripeCustomerId: customer,
            billingEmail: session.customer_details?.email ?? null,
          },
        });
      }
      tenantId = tenant.id;
    }
  }
  if (!tenantId) return { outcome: OUTCOME.unknownCustomer, tenantId: null };
  if (claimed && claimed !== tenantId)
    return { outcome: "ignored: client_reference_id does not match the customer", tenantId };
  const sub = ctx.extra.subscription ?? (typeof session.subscription === "object" ? session.subscription : null);
  if (!sub) return { outcome: `${OUTCOME.applied} (customer linked; subscription not fetched)`, tenantId };
  return { outcome: await applySubscription(ctx, tenantId, sub), tenantId };
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

function isMetered(price: Stripe.Price | null | undefined): boolean {
  return price?.recurring?.usage_type === "metered" || price?.metadata?.fleetcore_price_role === "overage";
}

/** The Fleetcore plan (and version) a Stripe Price sells: price metadata first, then the plans' price ids. */
async function planForPrice(db: Db, price: Stripe.Price): Promise<{ planId: string; version: number } | null> {
  const metaId = price.metadata?.fleetcore_plan_id;
  if (metaId && UUID.test(metaId)) {
    const plan = await db.bilBillingPlan.findUnique({ where: { id: metaId }, select: { id: true, version: true } });
    if (plan) {
      const version = Number(price.metadata?.fleetcore_plan_version);
      return { planId: plan.id, version: Number.isInteger(version) && version > 0 ? version : plan.version };
    }
  }
  const plan = await db.bilBillingPlan.findFirst({
    where: { OR: [{ stripeMonthlyPriceId: price.id }, { stripeYearlyPriceId: price.id }] },
    select: { id: true, version: true },
  });
  return plan ? { planId: plan.id, version: plan.version } : null;
}

/**
 * The subscription-level discounts whose coupon came expanded (the live retrieve expands them; an
 * event's own copy carries ids only, and then MRR is left undiscounted until the next live read).
 */
function mrrCoupons(sub: Stripe.Subscription): MrrCoupon[] {
  const out: MrrCoupon[] = [];
  for (const d of sub.discounts ?? []) {
    if (typeof d === "string") continue;
    const coupon = d.source?.coupon;
    if (!coupon || typeof coupon === "string") continue;
    out.push({
      percentOff: coupon.percent_off ?? null,
      amountOffMinor: coupon.amount_off ?? null,
      currency: coupon.currency ?? null,
      duration: coupon.duration,
      endS: d.end ?? null,
    });
  }
  return out;
}

/**
 * The subscription's base and overage items, its plan, interval, period and MRR (net of lasting
 * discounts), as Stripe says.
 */
export async function describeSubscription(db: Db, sub: Stripe.Subscription) {
  const items = sub.items?.data ?? [];
  const base = items.find((i) => !isMetered(i.price)) ?? null;
  const overage = items.find((i) => isMetered(i.price)) ?? null;
  const plan = base ? await planForPrice(db, base.price) : null;
  const recurring = base?.price.recurring ?? null;
  const status = (SUBSCRIPTION_STATUSES as readonly string[]).includes(sub.status)
    ? (sub.status as SubscriptionStatus)
    : "incomplete";
  const monthly =
    base && recurring && base.price.unit_amount !== null
      ? monthlyAmountMinor(
          base.price.unit_amount,
          base.quantity ?? 1,
          recurring.interval,
          recurring.interval_count ?? 1,
        )
      : 0;
  const discounted =
    base && recurring
      ? discountedMonthlyMinor(monthly, mrrCoupons(sub), {
          currency: sub.currency,
          interval: recurring.interval,
          intervalCount: recurring.interval_count ?? 1,
          nowS: Math.floor(Date.now() / 1000),
        })
      : monthly;
  // In this API version the billing period lives on the items.
  const periodItem = base ?? items[0] ?? null;
  // The prices as sold (a later plan version does not change them): Price.unit_amount × quantity,
  // and the metered Price's unit_amount_decimal (a string, or the SDK's Decimal, in the response).
  const overageDecimal =
    overage?.price.unit_amount_decimal != null
      ? String(overage.price.unit_amount_decimal)
      : overage?.price.unit_amount != null
        ? String(overage.price.unit_amount)
        : null;
  return {
    status,
    planId: plan?.planId ?? null,
    planVersion: plan?.version ?? null,
    interval: recurring?.interval === "year" ? ("year" as const) : ("month" as const),
    currentPeriodStart: fromUnix(periodItem?.current_period_start),
    currentPeriodEnd: fromUnix(periodItem?.current_period_end),
    baseItemId: base?.id ?? null,
    overageItemId: overage?.id ?? null,
    mrrMinor: countsAsMrr(status) ? discounted : 0,
    currency: sub.currency.toUpperCase(),
    baseAmountMinor: base && base.price.unit_amount !== null ? base.price.unit_amount * (base.quantity ?? 1) : null,
    overageUnitAmountDecimal: overageDecimal && isStripeUnitDecimal(overageDecimal) ? overageDecimal : null,
  };
}

async function recordMrrChange(
  db: Db,
  row: { tenantId: string; occurredAt: Date; eventId: string },
  from: { mrrMinor: number; currency: string },
  to: { mrrMinor: number; currency: string },
): Promise<void> {
  if (from.currency === to.currency || from.mrrMinor === 0 || to.mrrMinor === 0) {
    if (from.mrrMinor === to.mrrMinor) return;
    await db.bilMrrChange.create({
      data: {
        tenantId: row.tenantId,
        occurredAt: row.occurredAt,
        fromMrrMinor: from.mrrMinor,
        toMrrMinor: to.mrrMinor,
        currency: to.mrrMinor === 0 ? from.currency : to.currency,
        stripeEventId: row.eventId,
      },
    });
    return;
  }
  // A currency switch: the old currency's MRR ends, the new one's starts (never add currencies).
  await db.bilMrrChange.createMany({
    data: [
      { ...base(row), fromMrrMinor: from.mrrMinor, toMrrMinor: 0, currency: from.currency, stripeEventId: row.eventId },
      {
        ...base(row),
        fromMrrMinor: 0,
        toMrrMinor: to.mrrMinor,
        currency: to.currency,
        stripeEventId: `${row.eventId}#2`,
      },
    ],
  });
  function base(r: typeof row) {
    return { tenantId: r.tenantId, occurredAt: r.occurredAt };
  }
}

/**
 * Mirrors a Stripe Subscription into bil_tenant_subscriptions (by its id) unless the stored state is
 * newer; records the MRR change; moves the dunning clock; reactivates a tenant suspended for
 * non-payment when the subscription is in good standing again.
 */
async function applySubscription(ctx: EventContext, tenantId: string, sub: Stripe.Subscription): Promise<string> {
  const { db, created } = ctx;
  const existing = await db.bilTenantSubscription.findUnique({ where: { stripeSubscriptionId: sub.id } });
  if (existing && existing.tenantId !== tenantId) return "ignored: the subscription belongs to another tenant";
  if (existing?.stripeEventCreatedAt && created < existing.stripeEventCreatedAt) return OUTCOME.older;
  const d = await describeSubscription(db, sub);
  if (existing && ENDED_STATUSES.has(existing.status) && !ENDED_STATUSES.has(d.status)) return OUTCOME.ended;

  const delinquent = d.status === "past_due" || d.status === "unpaid";
  const goodStanding = d.status === "active" || d.status === "trialing";
  let pastDueSince = existing?.pastDueSince ?? null;
  if (delinquent && !pastDueSince) pastDueSince = created;
  // Only a state newer than the failure clears the clock (an older "active" arrives late sometimes).
  if (goodStanding && pastDueSince && created >= pastDueSince) pastDueSince = null;

  const data = {
    planId: d.planId,
    planVersion: d.planVersion,
    interval: d.interval,
    status: d.status,
    currentPeriodStart: d.currentPeriodStart,
    currentPeriodEnd: d.currentPeriodEnd,
    cancelAtPeriodEnd: sub.cancel_at_period_end || sub.cancel_at !== null,
    canceledAt: fromUnix(sub.canceled_at),
    endedAt: fromUnix(sub.ended_at),
    trialEnd: fromUnix(sub.trial_end),
    pastDueSince,
    mrrMinor: d.mrrMinor,
    currency: d.currency,
    baseAmountMinor: d.baseAmountMinor ?? existing?.baseAmountMinor ?? null,
    overageUnitAmountDecimal: d.overageUnitAmountDecimal ?? existing?.overageUnitAmountDecimal ?? null,
    stripeCustomerId: stripeId(sub.customer) ?? existing?.stripeCustomerId ?? "",
    stripeBaseItemId: d.baseItemId,
    stripeOverageItemId: d.overageItemId,
    stripeEventCreatedAt: created,
  };
  if (existing) {
    await db.bilTenantSubscription.update({ where: { id: existing.id }, data });
  } else {
    if (!ENDED_STATUSES.has(d.status)) {
      // One current subscription per tenant (partial unique index): an abandoned incomplete one expires.
      const other = await db.bilTenantSubscription.findFirst({
        where: { tenantId, status: { notIn: ["canceled", "incomplete_expired"] } },
      });
      if (other?.status === "incomplete") {
        await db.bilTenantSubscription.update({ where: { id: other.id }, data: { status: "incomplete_expired" } });
      } else if (other) {
        throw new Error(
          `tenant ${tenantId} already has the current subscription ${other.stripeSubscriptionId}; ${sub.id} must wait for its end`,
        );
      }
    }
    await db.bilTenantSubscription.create({ data: { tenantId, stripeSubscriptionId: sub.id, ...data } });
  }
  await recordMrrChange(
    db,
    { tenantId, occurredAt: created, eventId: ctx.event.id },
    { mrrMinor: existing?.mrrMinor ?? 0, currency: existing?.currency ?? d.currency },
    { mrrMinor: d.mrrMinor, currency: d.currency },
  );
  const defaultPm = stripeId(sub.default_payment_method);
  if (defaultPm) await markDefaultPaymentMethod(db, tenantId, defaultPm);
  if (goodStanding && pastDueSince === null) await reactivateIfSuspendedForPayment(db, tenantId);
  return OUTCOME.applied;
}

// ---------------------------------------------------------------------------------------------
// Invoices
// ---------------------------------------------------------------------------------------------

function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  return stripeId(invoice.parent?.subscription_details?.subscription ?? null);
}

/** The plans' Stripe price ids, read once per invoice: base (monthly, yearly) and overage. */
interface PlanPriceIds {
  base: ReadonlySet<string>;
  overage: ReadonlySet<string>;
}

async function planPriceIds(db: Db): Promise<PlanPriceIds> {
  const plans = await db.bilBillingPlan.findMany({
    select: { stripeMonthlyPriceId: true, stripeYearlyPriceId: true, stripeOveragePriceId: true },
  });
  const ids = (values: Array<string | null>) => new Set(values.filter((v): v is string => v !== null));
  return {
    base: ids(plans.flatMap((p) => [p.stripeMonthlyPriceId, p.stripeYearlyPriceId])),
    overage: ids(plans.map((p) => p.stripeOveragePriceId)),
  };
}

function lineKind(
  prices: PlanPriceIds,
  line: Stripe.InvoiceLineItem,
  sub: { stripeBaseItemId: string | null; stripeOverageItemId: string | null } | null,
): InvoiceLineKind {
  const parent = line.parent;
  if (parent?.subscription_item_details?.proration || parent?.invoice_item_details?.proration) return "proration";
  const item = parent?.subscription_item_details?.subscription_item ?? null;
  if (item && sub) {
    if (item === sub.stripeOverageItemId) return "overage";
    if (item === sub.stripeBaseItemId) return "base";
  }
  const price = stripeId(line.pricing?.price_details?.price ?? null);
  if (price && prices.overage.has(price)) return "overage";
  if (price && prices.base.has(price)) return "base";
  return "other";
}

async function onInvoice(ctx: EventContext, invoice: Stripe.Invoice): Promise<Handled> {
  const { db, created, event } = ctx;
  if (!invoice.id) return { outcome: OUTCOME.unknownObject, tenantId: null };
  const subscriptionId = invoiceSubscriptionId(invoice);
  const sub = subscriptionId
    ? await db.bilTenantSubscription.findUnique({ where: { stripeSubscriptionId: subscriptionId } })
    : null;
  const tenantId = (await tenantForCustomer(db, stripeId(invoice.customer))) ?? sub?.tenantId ?? null;
  if (!tenantId) return { outcome: OUTCOME.unknownCustomer, tenantId: null };

  const status: InvoiceStatus = (INVOICE_STATUSES as readonly string[]).includes(invoice.status ?? "")
    ? (invoice.status as InvoiceStatus)
    : "draft";
  const existing = await db.bilTenantInvoice.findUnique({ where: { stripeInvoiceId: invoice.id } });
  let outcome: string = OUTCOME.applied;
  let storedStatus: InvoiceStatus = existing?.status ?? status;
  if (existing?.stripeEventCreatedAt && created < existing.stripeEventCreatedAt) outcome = OUTCOME.older;
  else if (existing && INVOICE_RANK[status] < INVOICE_RANK[existing.status]) outcome = OUTCOME.rank;

  if (outcome === OUTCOME.applied) {
    const lines = ctx.extra.invoiceLines ?? invoice.lines?.data ?? [];
    const starts = lines.map((l) => l.period?.start).filter((v): v is number => typeof v === "number");
    const ends = lines.map((l) => l.period?.end).filter((v): v is number => typeof v === "number");
    const taxMinor = (invoice.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0);
    const discountMinor = (invoice.total_discount_amounts ?? []).reduce((sum, d) => sum + d.amount, 0);
    const data = {
      tenantId,
      stripeSubscriptionId: subscriptionId,
      number: invoice.number,
      status,
      currency: invoice.currency.toUpperCase(),
      subtotalMinor: invoice.subtotal,
      discountMinor,
      taxMinor,
      totalMinor: invoice.total,
      amountDueMinor: invoice.amount_due,
      amountPaidMinor: invoice.amount_paid,
      periodStart: fromUnix(starts.length > 0 ? Math.min(...starts) : invoice.period_start),
      periodEnd: fromUnix(ends.length > 0 ? Math.max(...ends) : invoice.period_end),
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
      invoicePdfUrl: invoice.invoice_pdf ?? null,
      attemptCount: invoice.attempt_count,
      nextPaymentAttempt: fromUnix(invoice.next_payment_attempt),
      paidAt: fromUnix(invoice.status_transitions?.paid_at),
      issuedAt: new Date(invoice.created * 1000),
      stripeEventCreatedAt: created,
    };
    const row = existing
      ? await db.bilTenantInvoice.update({ where: { id: existing.id }, data })
      : await db.bilTenantInvoice.create({ data: { stripeInvoiceId: invoice.id, ...data } });
    storedStatus = row.status;
    // Lines are a snapshot of the invoice: replace them.
    await db.bilTenantInvoiceLine.deleteMany({ where: { invoiceId: row.id } });
    const lineRows: Prisma.BilTenantInvoiceLineCreateManyInput[] = [];
    const prices = lines.length > 0 ? await planPriceIds(db) : { base: new Set<string>(), overage: new Set<string>() };
    for (const line of lines) {
      const kind = lineKind(prices, line, sub);
      lineRows.push({
        invoiceId: row.id,
        tenantId,
        stripeLineId: line.id,
        description: line.description,
        amountMinor: line.amount,
        currency: line.currency.toUpperCase(),
        quantity: line.quantity === null ? null : Math.round(line.quantity),
        kind,
        proration: kind === "proration",
        periodStart: fromUnix(line.period?.start),
        periodEnd: fromUnix(line.period?.end),
      });
    }
    if (lineRows.length > 0) await db.bilTenantInvoiceLine.createMany({ data: lineRows });
  }

  // Dunning follows the payment events themselves, whatever the snapshot's outcome: a failed payment
  // counts while the stored invoice is still unpaid (a later invoice.updated may have arrived first
  // and made this event "older" for the snapshot — the failure still happened); a payment clears a
  // clock started before it.
  if (sub) {
    const settled = storedStatus === "paid" || storedStatus === "void";
    if (event.type === "invoice.payment_failed" && !settled) await onPaymentFailed(ctx, tenantId, sub, invoice);
    if (event.type === "invoice.paid" && sub.pastDueSince && created >= sub.pastDueSince) {
      await db.bilTenantSubscription.update({ where: { id: sub.id }, data: { pastDueSince: null } });
      await reactivateIfSuspendedForPayment(db, tenantId);
    }
  }
  return { outcome, tenantId };
}

async function onPaymentFailed(
  ctx: EventContext,
  tenantId: string,
  sub: { id: string; pastDueSince: Date | null; status: string },
  invoice: Stripe.Invoice,
): Promise<void> {
  const { db, created } = ctx;
  const pastDueSince = sub.pastDueSince ?? created;
  if (!sub.pastDueSince) await db.bilTenantSubscription.update({ where: { id: sub.id }, data: { pastDueSince } });
  const settings = await db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
  const suspendsAt = new Date(pastDueSince.getTime() + settings.dunningGraceDays * 86_400_000);
  const amount = formatMinor(invoice.amount_due, invoice.currency.toUpperCase());
  const next = fromUnix(invoice.next_payment_attempt);
  const body = [
    `We could not collect ${amount} for invoice ${invoice.number ?? invoice.id}.`,
    next ? `Stripe retries on ${next.toISOString().slice(0, 10)}.` : null,
    `Unless it is paid by ${suspendsAt.toISOString().slice(0, 10)}, the account is suspended.`,
    invoice.hosted_invoice_url ? `Pay or update the payment method here: ${invoice.hosted_invoice_url}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  ctx.notifications.push(
    ...(await notifyTenantOwners(
      db,
      tenantId,
      {
        kind: "billing.payment_failed",
        title: "Payment failed for your Fleetcore subscription",
        body,
        link: "/billing",
      },
      ctx.email,
    )),
  );
}

// ---------------------------------------------------------------------------------------------
// Payment methods
// ---------------------------------------------------------------------------------------------

function paymentMethodDisplay(pm: Stripe.PaymentMethod) {
  const card = pm.card;
  if (card) {
    return { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year };
  }
  const bank = pm.sepa_debit ?? null;
  if (bank) return { brand: bank.bank_code ?? null, last4: bank.last4 ?? null, expMonth: null, expYear: null };
  const us = pm.us_bank_account ?? null;
  if (us) return { brand: us.bank_name ?? null, last4: us.last4 ?? null, expMonth: null, expYear: null };
  return { brand: null, last4: null, expMonth: null, expYear: null };
}

async function markDefaultPaymentMethod(db: Db, tenantId: string, paymentMethodId: string): Promise<void> {
  const found = await db.bilPaymentMethod.findUnique({ where: { stripePaymentMethodId: paymentMethodId } });
  if (!found || found.tenantId !== tenantId || found.isDefault) return;
  await db.bilPaymentMethod.updateMany({ where: { tenantId, isDefault: true }, data: { isDefault: false } });
  await db.bilPaymentMethod.update({ where: { id: found.id }, data: { isDefault: true } });
}

async function onPaymentMethodAttached(ctx: EventContext, pm: Stripe.PaymentMethod): Promise<Handled> {
  const { db, created } = ctx;
  const tenantId = await tenantForCustomer(db, stripeId(pm.customer));
  if (!tenantId) return { outcome: OUTCOME.unknownCustomer, tenantId: null };
  const existing = await db.bilPaymentMethod.findUnique({ where: { stripePaymentMethodId: pm.id } });
  if (existing?.stripeEventCreatedAt && created < existing.stripeEventCreatedAt)
    return { outcome: OUTCOME.older, tenantId };
  const display = paymentMethodDisplay(pm);
  if (existing) {
    await db.bilPaymentMethod.update({
      where: { id: existing.id },
      data: { tenantId, type: pm.type, ...display, detachedAt: null, stripeEventCreatedAt: created },
    });
  } else {
    // The first payment method of a tenant shows as its default until Stripe names one.
    const hasDefault = await db.bilPaymentMethod.count({ where: { tenantId, isDefault: true, detachedAt: null } });
    await db.bilPaymentMethod.create({
      data: {
        tenantId,
        stripePaymentMethodId: pm.id,
        type: pm.type,
        ...display,
        isDefault: hasDefault === 0,
        stripeEventCreatedAt: created,
      },
    });
  }
  return { outcome: OUTCOME.applied, tenantId };
}

async function onPaymentMethodDetached(ctx: EventContext, pm: Stripe.PaymentMethod): Promise<Handled> {
  const { db, created } = ctx;
  // A detached payment method has no customer any more: find it by id.
  const existing = await db.bilPaymentMethod.findUnique({ where: { stripePaymentMethodId: pm.id } });
  if (!existing) return { outcome: OUTCOME.unknownObject, tenantId: null };
  if (existing.stripeEventCreatedAt && created < existing.stripeEventCreatedAt) {
    return { outcome: OUTCOME.older, tenantId: existing.tenantId };
  }
  await db.bilPaymentMethod.update({
    where: { id: existing.id },
    data: { detachedAt: created, isDefault: false, stripeEventCreatedAt: created },
  });
  return { outcome: OUTCOME.applied, tenantId: existing.tenantId };
}

async function onCustomerUpdated(
  ctx: EventContext,
  customer: Stripe.Customer | Stripe.DeletedCustomer,
): Promise<Handled> {
  const { db } = ctx;
  const tenantId = await tenantForCustomer(db, customer.id);
  if (!tenantId) return { outcome: OUTCOME.unknownCustomer, tenantId: null };
  if ("deleted" in customer && customer.deleted) return { outcome: "ignored: customer deleted", tenantId };
  const c = customer as Stripe.Customer;
  const defaultPm = stripeId(c.invoice_settings?.default_payment_method ?? null);
  if (defaultPm) await markDefaultPaymentMethod(db, tenantId, defaultPm);
  if (c.email) await db.bilBillingAccount.update({ where: { tenantId }, data: { billingEmail: c.email } });
  return { outcome: OUTCOME.applied, tenantId };
}
