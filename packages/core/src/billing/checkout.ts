/**
 * Tenant-side Stripe actions: the Stripe Customer of a tenant, Checkout and Customer Portal sessions,
 * plan changes with a proration preview, cancel at period end and its undo.
 * Local subscription state changes only through webhooks (Stripe is the source of truth); these
 * functions return Stripe's answer for display. None holds a database transaction across a Stripe
 * call: they read in short transactions — of the caller's scope (`inTx`), or of the system scope for
 * the tenant's Stripe Customer ({@link ensureStripeCustomer}) — then call Stripe. API reference: Customers, Checkout Sessions,
 * Customer Portal Sessions, Invoices "Create a preview invoice", Subscriptions "Update a subscription".
 */
import { type Db, type PrismaClient, withScope } from "@fleetcore/db";
import type {
  BillingInterval,
  PlanChangePreview,
  SubscriptionChangeResult,
  UpcomingInvoice,
} from "@fleetcore/validators";
import type { InTransaction } from "../audit/audit";
import { DomainError } from "../errors";
import { planPrices } from "./plans";
import { asDomainError, idempotencyKey, type Stripe, toUnix } from "./stripe";
import { describeSubscription } from "./webhooks";

/** A preview's proration date stays valid this long for `changePlan`. */
const PRORATION_DATE_MAX_AGE_MS = 60 * 60_000;

/**
 * The tenant's Stripe Customer id, created on first use (name = tenant name, email = the caller's,
 * metadata fleetcore_tenant_id) with idempotency key "customer/<tenantId>" and stored in
 * bil_billing_accounts in a system-scope transaction of its own (tenants only read bil_ rows).
 * Concurrent first calls get the same Customer (same idempotency key; the insert is ON CONFLICT-safe).
 */
export async function ensureStripeCustomer(
  prisma: PrismaClient,
  stripe: Stripe,
  tenantId: string,
  opts: { email?: string | null } = {},
): Promise<string> {
  const found = await withScope(prisma, { kind: "system" }, async (db) => {
    const account = await db.bilBillingAccount.findUnique({ where: { tenantId } });
    const tenant = await db.tenant.findFirst({ where: { id: tenantId, deletedAt: null }, select: { name: true } });
    return { account, tenant };
  });
  if (found.account) return found.account.stripeCustomerId;
  if (!found.tenant) throw new DomainError("not_found", "tenant not found");
  const customer = await stripe.customers
    .create(
      {
        name: found.tenant.name,
        ...(opts.email ? { email: opts.email } : {}),
        metadata: { fleetcore_tenant_id: tenantId },
      },
      { idempotencyKey: idempotencyKey("customer", tenantId) },
    )
    .catch(asDomainError);
  return withScope(prisma, { kind: "system" }, async (db) => {
    await db.$executeRaw`
      INSERT INTO bil_billing_accounts (tenant_id, stripe_customer_id, billing_email)
      VALUES (${tenantId}::uuid, ${customer.id}, ${opts.email ?? null})
      ON CONFLICT (tenant_id) DO NOTHING`;
    const account = await db.bilBillingAccount.findUniqueOrThrow({ where: { tenantId } });
    return account.stripeCustomerId;
  });
}

async function currentSubscription(db: Db, tenantId: string) {
  return db.bilTenantSubscription.findFirst({
    where: { tenantId, status: { notIn: ["canceled", "incomplete_expired"] } },
    orderBy: { createdAt: "desc" },
  });
}

async function choosablePlan(db: Db, planId: string) {
  const plan = await db.bilBillingPlan.findUnique({ where: { id: planId } });
  if (!plan?.isPublic) throw new DomainError("not_found", "plan not found");
  return plan;
}

/**
 * Starts a Stripe Checkout session for a subscription to `planId` with `interval`: the base price ×1
 * and the metered overage price (no quantity), promotion codes allowed, customer = the tenant's, client_reference_id and
 * subscription metadata fleetcore_tenant_id, back to `${publicUrl}/billing?checkout=success|cancel`.
 * Idempotency key: tenant, the client's request id and the prices (a double click or a retry of
 * one choice opens one session; another choice or a later visit, with a new id, a new session).
 * @param input.inTx short transactions of the caller's tenant scope (reads plans and the subscription)
 * @returns the Checkout page URL
 * @throws DomainError not_found (plan), invalid (plan not available, no yearly option), conflict
 *   (the tenant already has a current subscription: change plan instead)
 */
export async function startCheckout(
  input: {
    prisma: PrismaClient;
    inTx: InTransaction;
    stripe: Stripe;
    tenantId: string;
    publicUrl: string;
    email?: string | null;
  },
  choice: { planId: string; interval: BillingInterval; clientRequestId: string },
): Promise<{ url: string }> {
  const { stripe, tenantId } = input;
  const plan = await input.inTx(async ({ db }) => {
    const current = await currentSubscription(db, tenantId);
    if (current && current.status !== "incomplete") {
      throw new DomainError("conflict", "This tenant already has a subscription: change its plan instead");
    }
    return choosablePlan(db, choice.planId);
  });
  const prices = await planPrices(stripe, plan, choice.interval);
  const customer = await ensureStripeCustomer(input.prisma, stripe, tenantId, { email: input.email });
  const base = input.publicUrl.replace(/\/+$/, "");
  const session = await stripe.checkout.sessions
    .create(
      {
        mode: "subscription",
        customer,
        client_reference_id: tenantId,
        line_items: [{ price: prices.basePriceId, quantity: 1 }, { price: prices.overagePriceId }],
        // Promotion codes (coupons) created in Stripe can be entered on the Checkout page.
        allow_promotion_codes: true,
        subscription_data: { metadata: { fleetcore_tenant_id: tenantId, fleetcore_plan_id: plan.id } },
        metadata: { fleetcore_tenant_id: tenantId, fleetcore_plan_id: plan.id },
        success_url: `${base}/billing?checkout=success`,
        cancel_url: `${base}/billing?checkout=cancel`,
      },
      {
        idempotencyKey: idempotencyKey(
          "checkout",
          tenantId,
          choice.clientRequestId,
          prices.basePriceId,
          prices.overagePriceId,
        ),
      },
    )
    .catch(asDomainError);
  if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a url`);
  return { url: session.url };
}

/**
 * Opens the Stripe Customer Portal (payment methods, invoices, cancel) for the tenant's Customer
 * (created if needed), returning to `${publicUrl}/billing`.
 * @returns the portal URL
 */
export async function openBillingPortal(
  input: { prisma: PrismaClient; stripe: Stripe; tenantId: string; publicUrl: string; email?: string | null },
  now = new Date(),
): Promise<{ url: string }> {
  const customer = await ensureStripeCustomer(input.prisma, input.stripe, input.tenantId, { email: input.email });
  const session = await input.stripe.billingPortal.sessions
    .create(
      { customer, return_url: `${input.publicUrl.replace(/\/+$/, "")}/billing` },
      { idempotencyKey: idempotencyKey("portal", customer, Math.floor(now.getTime() / 60_000)) },
    )
    .catch(asDomainError);
  return { url: session.url };
}

async function changeItems(
  inTx: InTransaction,
  stripe: Stripe,
  tenantId: string,
  choice: { planId: string; interval: BillingInterval },
) {
  const { sub, plan, baseItemId } = await inTx(async ({ db }) => {
    const sub = await currentSubscription(db, tenantId);
    if (!sub || sub.status === "incomplete")
      throw new DomainError("not_found", "This tenant has no subscription to change");
    if (!sub.stripeBaseItemId) throw new DomainError("invalid", "The subscription has no plan item to change");
    const plan = await choosablePlan(db, choice.planId);
    if (plan.currency !== sub.currency) {
      throw new DomainError("invalid", `A ${sub.currency} subscription cannot change to a ${plan.currency} plan`);
    }
    return { sub, plan, baseItemId: sub.stripeBaseItemId };
  });
  const prices = await planPrices(stripe, plan, choice.interval);
  const items: Stripe.SubscriptionUpdateParams.Item[] = [{ id: baseItemId, price: prices.basePriceId }];
  items.push(
    sub.stripeOverageItemId
      ? { id: sub.stripeOverageItemId, price: prices.overagePriceId }
      : { price: prices.overagePriceId },
  );
  return { sub, plan, items };
}

/**
 * Previews a plan change (Stripe `invoices.createPreview` with the subscription's items swapped,
 * proration_behavior create_prorations, proration_date = now): the next invoice's amount due, the
 * proration total (negative = credit) and its lines. Pass `prorationDate` to {@link changePlan}.
 * @throws DomainError not_found (no subscription / plan), invalid (currency differs, not available)
 */
export async function previewPlanChange(
  inTx: InTransaction,
  stripe: Stripe,
  tenantId: string,
  choice: { planId: string; interval: BillingInterval },
  now = new Date(),
): Promise<PlanChangePreview> {
  const { sub, items } = await changeItems(inTx, stripe, tenantId, choice);
  const prorationDate = toUnix(now);
  const preview = await stripe.invoices
    .createPreview({
      customer: sub.stripeCustomerId,
      subscription: sub.stripeSubscriptionId,
      subscription_details: { items, proration_behavior: "create_prorations", proration_date: prorationDate },
    })
    .catch(asDomainError);
  const lines = preview.lines.data;
  const isProration = (l: Stripe.InvoiceLineItem) =>
    Boolean(l.parent?.subscription_item_details?.proration || l.parent?.invoice_item_details?.proration);
  return {
    amountDueMinor: preview.amount_due,
    currency: preview.currency.toUpperCase(),
    prorationMinor: lines.filter(isProration).reduce((s, l) => s + l.amount, 0),
    prorationDate: new Date(prorationDate * 1000),
    lines: lines.map((l) => ({ description: l.description, amountMinor: l.amount })),
  };
}

async function changeResult(inTx: InTransaction, sub: Stripe.Subscription): Promise<SubscriptionChangeResult> {
  const d = await inTx(({ db }) => describeSubscription(db, sub));
  return {
    status: d.status,
    cancelAtPeriodEnd: sub.cancel_at_period_end || sub.cancel_at !== null,
    currentPeriodEnd: d.currentPeriodEnd,
    planId: d.planId,
    interval: d.interval,
  };
}

/**
 * Changes the subscription's plan/interval (`subscriptions.update` with the items swapped,
 * create_prorations and the preview's proration_date when given and under an hour old). The local
 * row follows with the `customer.subscription.updated` webhook.
 * @throws DomainError as {@link previewPlanChange}; invalid (Stripe refused, with its message)
 */
export async function changePlan(
  inTx: InTransaction,
  stripe: Stripe,
  tenantId: string,
  choice: { planId: string; interval: BillingInterval; prorationDate?: Date },
  now = new Date(),
): Promise<SubscriptionChangeResult> {
  const { sub, plan, items } = await changeItems(inTx, stripe, tenantId, choice);
  const given = choice.prorationDate;
  const fresh = given && given <= now && now.getTime() - given.getTime() <= PRORATION_DATE_MAX_AGE_MS;
  const prorationDate = toUnix(fresh ? given : now);
  const updated = await stripe.subscriptions
    .update(
      sub.stripeSubscriptionId,
      {
        items,
        proration_behavior: "create_prorations",
        proration_date: prorationDate,
        metadata: { fleetcore_tenant_id: tenantId, fleetcore_plan_id: plan.id },
      },
      {
        idempotencyKey: idempotencyKey(
          "change-plan",
          sub.stripeSubscriptionId,
          JSON.stringify(items),
          prorationDate,
          sub.updatedAt.toISOString(),
        ),
      },
    )
    .catch(asDomainError);
  return changeResult(inTx, updated);
}

/**
 * Sets or clears cancel_at_period_end on the tenant's subscription (`subscriptions.update`).
 * @throws DomainError not_found (no subscription)
 */
export async function setCancelAtPeriodEnd(
  inTx: InTransaction,
  stripe: Stripe,
  tenantId: string,
  cancel: boolean,
  now = new Date(),
): Promise<SubscriptionChangeResult> {
  const sub = await inTx(({ db }) => currentSubscription(db, tenantId));
  if (!sub || sub.status === "incomplete") throw new DomainError("not_found", "This tenant has no subscription");
  const updated = await stripe.subscriptions
    .update(
      sub.stripeSubscriptionId,
      { cancel_at_period_end: cancel },
      {
        idempotencyKey: idempotencyKey(
          "cancel-at-period-end",
          sub.stripeSubscriptionId,
          cancel,
          sub.updatedAt.toISOString(),
          Math.floor(now.getTime() / 60_000),
        ),
      },
    )
    .catch(asDomainError);
  return changeResult(inTx, updated);
}

/**
 * Stripe's own preview of the tenant's next invoice (`invoices.createPreview` with the customer and
 * subscription, nothing changed: API reference "Create a preview invoice"): next period's plan price,
 * the metered overage reported so far, pending prorations, discounts and tax. Exact where the local
 * projection ({@link billingOverview}) is an estimate; it costs a Stripe call, so the page asks for
 * it separately.
 * @returns null without a current subscription (or an incomplete one)
 * @throws DomainError invalid (Stripe refused, with its message)
 */
export async function upcomingInvoice(
  inTx: InTransaction,
  stripe: Stripe,
  tenantId: string,
): Promise<UpcomingInvoice | null> {
  const sub = await inTx(({ db }) => currentSubscription(db, tenantId));
  if (!sub || sub.status === "incomplete") return null;
  const preview = await stripe.invoices
    .createPreview({ customer: sub.stripeCustomerId, subscription: sub.stripeSubscriptionId })
    .catch(asDomainError);
  return {
    date: sub.currentPeriodEnd,
    subtotalMinor: preview.subtotal,
    discountMinor: (preview.total_discount_amounts ?? []).reduce((sum, d) => sum + d.amount, 0),
    taxMinor: (preview.total_taxes ?? []).reduce((sum, t) => sum + t.amount, 0),
    amountDueMinor: preview.amount_due,
    currency: preview.currency.toUpperCase(),
    lines: preview.lines.data.map((l) => ({ description: l.description, amountMinor: l.amount })),
  };
}
