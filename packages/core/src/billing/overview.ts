/**
 * What the billing pages read: the tenant's overview (plan, subscription, usage projection, next
 * invoice, payment method), invoices, the period's daily usage; the provider's subscription list
 * and billing settings. Reads run in the caller's scope (row-level security keeps a tenant to its
 * own rows); nothing here calls Stripe.
 */
import { type Db, inSequence } from "@fleetcore/db";
import type {
  AdminSubscriptionRow,
  BillingInvoice,
  BillingOverview,
  BillingSettings,
  BillingUsageDay,
  InvoiceLineKind,
  SubscriptionStatus,
} from "@fleetcore/validators";
import { INVOICE_LINE_KINDS } from "@fleetcore/validators";
import type { Tx } from "../audit/audit";
import { overageUnitAmountDecimal } from "./money";
import { toPublicPlan } from "./plans";
import type { BillingServices } from "./stripe";
import { completeDaysOfPeriod, localDay, projectUsage, toUsageDay } from "./usage";

const DAY_MS = 86_400_000;
const CURRENT = { notIn: ["canceled", "incomplete_expired"] as SubscriptionStatus[] };

/** The tenant's current subscription, else its most recent one (to show "canceled"). */
async function latestSubscription(db: Db, tenantId: string) {
  return (
    (await db.bilTenantSubscription.findFirst({
      where: { tenantId, status: CURRENT },
      include: { plan: true },
      orderBy: { createdAt: "desc" },
    })) ??
    (await db.bilTenantSubscription.findFirst({
      where: { tenantId },
      include: { plan: true },
      orderBy: { createdAt: "desc" },
    }))
  );
}

/**
 * The prices a subscription was sold at: those stored from its Stripe items by the webhooks, else —
 * for a row mirrored before they were stored — its plan's prices when it is still on the plan's
 * current version (nothing changed since); null when unknown (an older version, not stored).
 */
function soldPrices(
  sub: {
    interval: "month" | "year";
    currency: string;
    planVersion: number | null;
    baseAmountMinor: number | null;
    overageUnitAmountDecimal: string | null;
  },
  plan: { version: number; monthlyPriceMinor: number; yearlyPriceMinor: number | null; overagePerVehicleMinor: number },
): { baseMinor: number; overageUnitAmountDecimal: string; currency: string } | null {
  const current = sub.planVersion === null || sub.planVersion === plan.version;
  const baseMinor =
    sub.baseAmountMinor ??
    (current ? (sub.interval === "year" ? (plan.yearlyPriceMinor ?? 0) : plan.monthlyPriceMinor) : null);
  const overage =
    sub.overageUnitAmountDecimal ?? (current ? overageUnitAmountDecimal(plan.overagePerVehicleMinor) : null);
  if (baseMinor === null || overage === null) return null;
  return { baseMinor, overageUnitAmountDecimal: overage, currency: sub.currency };
}

/** The plan's current prices for the subscription's interval: the projection's estimate when the sold ones are unknown. */
function listPrices(
  sub: { interval: "month" | "year"; currency: string },
  plan: { monthlyPriceMinor: number; yearlyPriceMinor: number | null; overagePerVehicleMinor: number },
) {
  return {
    baseMinor: sub.interval === "year" ? (plan.yearlyPriceMinor ?? 0) : plan.monthlyPriceMinor,
    overageUnitAmountDecimal: overageUnitAmountDecimal(plan.overagePerVehicleMinor),
    currency: sub.currency,
  };
}

/**
 * The billing overview of a tenant (see ZBillingOverview). `configured` false: everything null.
 * Usage is projected for a current subscription with a period; the next invoice is estimated
 * locally at the period's end (trial end while trialing): projected total, or only the projected
 * overage when the subscription cancels at the period's end. Before tax and discounts.
 */
export async function billingOverview(
  db: Db,
  tenantId: string,
  opts: { configured: boolean; now?: Date },
): Promise<BillingOverview> {
  const empty: BillingOverview = {
    configured: opts.configured,
    plan: null,
    subscription: null,
    usage: null,
    nextInvoice: null,
    paymentMethod: null,
  };
  if (!opts.configured) return empty;
  const now = opts.now ?? new Date();
  const [sub, settings, pm, tenant] = await inSequence(
    () => latestSubscription(db, tenantId),
    () => db.bilSettings.findUniqueOrThrow({ where: { id: 1 } }),
    () =>
      db.bilPaymentMethod.findFirst({
        where: { tenantId, detachedAt: null },
        orderBy: [{ isDefault: "desc" }, { createdAt: "desc" }],
      }),
    () => db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { timezone: true } }),
  );
  const paymentMethod = pm
    ? { type: pm.type, brand: pm.brand, last4: pm.last4, expMonth: pm.expMonth, expYear: pm.expYear }
    : null;
  if (!sub) return { ...empty, paymentMethod };
  const ended = sub.status === "canceled" || sub.status === "incomplete_expired";
  const sold = sub.plan ? soldPrices(sub, sub.plan) : null;
  const subscription = {
    status: sub.status,
    interval: sub.interval,
    planId: sub.planId,
    planVersion: sub.planVersion,
    currentPeriodStart: sub.currentPeriodStart,
    currentPeriodEnd: sub.currentPeriodEnd,
    cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
    canceledAt: sub.canceledAt,
    trialEnd: sub.trialEnd,
    pastDueSince: sub.pastDueSince,
    suspendsAt: sub.pastDueSince ? new Date(sub.pastDueSince.getTime() + settings.dunningGraceDays * DAY_MS) : null,
    mrrMinor: sub.mrrMinor,
    currency: sub.currency,
    baseAmountMinor: sold?.baseMinor ?? sub.baseAmountMinor,
    overageUnitAmountDecimal: sold?.overageUnitAmountDecimal ?? sub.overageUnitAmountDecimal,
  };
  let usage: BillingOverview["usage"] = null;
  let nextInvoice: BillingOverview["nextInvoice"] = null;
  if (!ended && sub.plan && sub.currentPeriodStart && sub.currentPeriodEnd) {
    usage = await projectUsage(db, {
      tenantId,
      timeZone: tenant.timezone,
      periodStart: sub.currentPeriodStart,
      periodEnd: sub.currentPeriodEnd,
      includedVehicles: sub.plan.includedVehicles,
      prices: sold ?? listPrices(sub, sub.plan),
      now,
    });
    const trialing = sub.status === "trialing" && sub.trialEnd;
    nextInvoice = {
      date: trialing ? (sub.trialEnd as Date) : sub.currentPeriodEnd,
      amountDueMinor: sub.cancelAtPeriodEnd ? usage.projectedOverageMinor : usage.projectedTotalMinor,
      currency: usage.currency,
    };
  }
  return {
    configured: true,
    plan: sub.plan ? toPublicPlan(sub.plan) : null,
    subscription,
    usage,
    nextInvoice,
    paymentMethod,
  };
}

function lineKind(kind: string): InvoiceLineKind {
  return (INVOICE_LINE_KINDS as readonly string[]).includes(kind) ? (kind as InvoiceLineKind) : "other";
}

/** The tenant's invoices, newest first, with their lines (drafts included: Stripe's upcoming ones). */
export async function listInvoices(db: Db, tenantId: string, limit = 100): Promise<BillingInvoice[]> {
  const rows = await db.bilTenantInvoice.findMany({
    where: { tenantId },
    include: { lines: { orderBy: [{ kind: "asc" }, { amountMinor: "desc" }] } },
    orderBy: { issuedAt: "desc" },
    take: limit,
  });
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    status: r.status,
    issuedAt: r.issuedAt,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    totalMinor: r.totalMinor,
    discountMinor: r.discountMinor,
    amountDueMinor: r.amountDueMinor,
    amountPaidMinor: r.amountPaidMinor,
    currency: r.currency,
    hostedInvoiceUrl: r.hostedInvoiceUrl,
    invoicePdfUrl: r.invoicePdfUrl,
    lines: r.lines.map((l) => ({
      description: l.description,
      amountMinor: l.amountMinor,
      kind: lineKind(l.kind),
      quantity: l.quantity,
    })),
  }));
}

/**
 * The daily usage rows of the current period (oldest first; complete days only — today is in the
 * overview's projection). Without a current subscription: the last 30 stored days.
 */
export async function listPeriodUsage(db: Db, tenantId: string, now = new Date()): Promise<BillingUsageDay[]> {
  const sub = await db.bilTenantSubscription.findFirst({
    where: { tenantId, status: CURRENT },
    orderBy: { createdAt: "desc" },
  });
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { timezone: true } });
  let from: Date;
  let to: Date;
  if (sub?.currentPeriodStart && sub.currentPeriodEnd) {
    const days = completeDaysOfPeriod(sub.currentPeriodStart, sub.currentPeriodEnd, now, tenant.timezone);
    from = new Date(`${localDay(sub.currentPeriodStart, tenant.timezone)}T00:00:00Z`);
    to = new Date(`${days[days.length - 1] ?? "1970-01-01"}T00:00:00Z`);
    if (days.length === 0) return [];
  } else {
    to = new Date(`${localDay(now, tenant.timezone)}T00:00:00Z`);
    from = new Date(to.getTime() - 30 * DAY_MS);
  }
  const rows = await db.bilTenantUsageMetric.findMany({
    where: { tenantId, day: { gte: from, lte: to } },
    orderBy: { day: "asc" },
  });
  return rows.map(toUsageDay);
}

/** Subscriptions across tenants (provider scope), newest first, optionally by status. */
export async function listSubscriptions(
  db: Db,
  filter: { status?: SubscriptionStatus } = {},
): Promise<AdminSubscriptionRow[]> {
  const rows = await db.bilTenantSubscription.findMany({
    where: filter.status ? { status: filter.status } : {},
    include: { tenant: { select: { name: true } }, plan: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take: 1000,
  });
  return rows.map((r) => ({
    tenantId: r.tenantId,
    tenantName: r.tenant.name,
    planId: r.planId,
    planName: r.plan?.name ?? null,
    status: r.status,
    interval: r.interval,
    mrrMinor: r.mrrMinor,
    currency: r.currency,
    currentPeriodEnd: r.currentPeriodEnd,
    cancelAtPeriodEnd: r.cancelAtPeriodEnd,
    pastDueSince: r.pastDueSince,
    stripeSubscriptionId: r.stripeSubscriptionId,
  }));
}

/** The billing settings and whether the server has Stripe keys. */
export async function getBillingSettings(db: Db, billing: BillingServices): Promise<BillingSettings> {
  const s = await db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
  return {
    dunningGraceDays: s.dunningGraceDays,
    meterEventName: s.meterEventName,
    stripeMeterId: s.stripeMeterId,
    configured: billing.stripe !== null,
    webhooksConfigured: billing.stripe !== null && billing.webhookSecret !== null,
  };
}

/** Sets the dunning grace period (days, 0–90; CHECK-constrained). Audited `billing.settings_updated`. */
export async function updateBillingSettings(
  tx: Tx,
  billing: BillingServices,
  input: { dunningGraceDays: number },
): Promise<BillingSettings> {
  const before = await tx.db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
  await tx.db.bilSettings.update({ where: { id: 1 }, data: { dunningGraceDays: input.dunningGraceDays } });
  await tx.audit.record({
    tenantId: null,
    entityType: "billing_settings",
    entityId: "1",
    action: "billing.settings_updated",
    before: { dunningGraceDays: before.dunningGraceDays },
    after: { dunningGraceDays: input.dunningGraceDays },
  });
  return getBillingSettings(tx.db, billing);
}
