/**
 * Billing plans (bil_billing_plans), managed by provider admins, and their Stripe catalogue:
 * one Product per plan (metadata fleetcore_plan_id) and, per plan version, licensed recurring Prices
 * (monthly, yearly) plus metered overage Prices billed through one Billing Meter.
 *
 * Stripe objects (API reference: Products, Prices, Billing Meters):
 * - Product id `fc_plan_<code>`: a re-run links the existing Product instead of creating another.
 * - Prices have lookup keys `<code>-v<version>-month|year` and `<code>-v<version>-overage-month|year`
 *   and metadata { fleetcore_plan_id, fleetcore_plan_version, fleetcore_price_role: base|overage },
 *   so a subscription item's price tells which plan and version it sells. A price change bumps the
 *   plan's version and the next sync creates new Prices (Prices are immutable); subscriptions keep theirs.
 * - The overage Price is per vehicle-DAY: unit_amount_decimal = overagePerVehicleMinor / 30
 *   ({@link overageUnitAmountDecimal}), recurring with the subscription's interval, usage_type
 *   metered, tied to the Billing Meter that sums the daily overage vehicles (see usage.ts).
 *   The yearly overage Price is found by lookup key (bil_billing_plans keeps one overage price id).
 */
import type { Db } from "@fleetcore/db";
import type {
  BillingPlan,
  BillingPlanPublic,
  CreateBillingPlanRequest,
  UpdateBillingPlanRequest,
} from "@fleetcore/validators";
import { ZCreateBillingPlanRequest, ZPlanFeatures, ZUpdateBillingPlanRequest } from "@fleetcore/validators";
import type { InTransaction, Tx } from "../audit/audit";
import { DomainError, describeIssues, parseInput } from "../errors";
import { overageUnitAmountDecimal } from "./money";
import { asDomainError, idempotencyKey, isStripeMissing, Stripe } from "./stripe";

type PlanRow = Awaited<ReturnType<Db["bilBillingPlan"]["findFirstOrThrow"]>>;

/** The default Billing Meter's display name. */
const METER_DISPLAY_NAME = "Fleetcore overage vehicle-days";

/** Stripe lookup key of a plan version's price. */
export function planLookupKey(
  code: string,
  version: number,
  role: "month" | "year" | "overage-month" | "overage-year",
) {
  return `${code}-v${version}-${role}`;
}

function features(value: unknown): BillingPlanPublic["features"] {
  const parsed = ZPlanFeatures.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** Whether a checkout can start with this plan: active and every price of its version in Stripe. */
export function isPlanSynced(p: PlanRow): boolean {
  return (
    p.stripeProductId !== null &&
    p.stripeMonthlyPriceId !== null &&
    p.stripeOveragePriceId !== null &&
    (p.yearlyPriceMinor === null || p.stripeYearlyPriceId !== null)
  );
}

/** Maps a plan row to the tenant-facing shape. */
export function toPublicPlan(p: PlanRow): BillingPlanPublic {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    description: p.description,
    currency: p.currency,
    monthlyPriceMinor: p.monthlyPriceMinor,
    yearlyPriceMinor: p.yearlyPriceMinor,
    includedVehicles: p.includedVehicles,
    includedDrivers: p.includedDrivers,
    overagePerVehicleMinor: p.overagePerVehicleMinor,
    features: features(p.features),
    version: p.version,
    available: p.isActive && isPlanSynced(p),
  };
}

function toPlan(p: PlanRow, activeSubscriptions: number): BillingPlan {
  return {
    ...toPublicPlan(p),
    isActive: p.isActive,
    isPublic: p.isPublic,
    stripeProductId: p.stripeProductId,
    stripeMonthlyPriceId: p.stripeMonthlyPriceId,
    stripeYearlyPriceId: p.stripeYearlyPriceId,
    stripeOveragePriceId: p.stripeOveragePriceId,
    syncedToStripe: isPlanSynced(p),
    activeSubscriptions,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

async function withCount(db: Db, p: PlanRow): Promise<BillingPlan> {
  const n = await db.bilTenantSubscription.count({
    where: { planId: p.id, status: { notIn: ["canceled", "incomplete_expired"] } },
  });
  return toPlan(p, n);
}

/** Every plan (archived too), active first, then by monthly price. Provider scope. */
export async function listPlans(db: Db): Promise<BillingPlan[]> {
  const rows = await db.bilBillingPlan.findMany({ orderBy: [{ isActive: "desc" }, { monthlyPriceMinor: "asc" }] });
  const counts = await db.bilTenantSubscription.groupBy({
    by: ["planId"],
    where: { status: { notIn: ["canceled", "incomplete_expired"] } },
    _count: { _all: true },
  });
  const byPlan = new Map(counts.map((c) => [c.planId, c._count._all]));
  return rows.map((p) => toPlan(p, byPlan.get(p.id) ?? 0));
}

/** Public, active plans (what a tenant may choose), by currency then monthly price. Any scope. */
export async function listPublicPlans(db: Db): Promise<BillingPlanPublic[]> {
  const rows = await db.bilBillingPlan.findMany({
    where: { isActive: true, isPublic: true },
    orderBy: [{ currency: "asc" }, { monthlyPriceMinor: "asc" }],
  });
  return rows.map(toPublicPlan);
}

/**
 * Creates a plan (version 1, not yet in Stripe: call {@link syncPlanToStripe}). Audited `billing.plan_created`.
 * @throws DomainError invalid (input), conflict (code taken)
 */
export async function createPlan(tx: Tx, input: CreateBillingPlanRequest): Promise<BillingPlan> {
  const data = parseInput(ZCreateBillingPlanRequest, input);
  const taken = await tx.db.bilBillingPlan.findUnique({ where: { code: data.code }, select: { id: true } });
  if (taken) throw new DomainError("conflict", `a plan with code "${data.code}" already exists`);
  const plan = await tx.db.bilBillingPlan.create({
    data: {
      code: data.code,
      name: data.name,
      description: data.description ?? null,
      currency: data.currency,
      monthlyPriceMinor: data.monthlyPriceMinor,
      yearlyPriceMinor: data.yearlyPriceMinor ?? null,
      includedVehicles: data.includedVehicles,
      includedDrivers: data.includedDrivers,
      overagePerVehicleMinor: data.overagePerVehicleMinor,
      features: data.features ?? {},
      isPublic: data.isPublic ?? true,
    },
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "billing_plan",
    entityId: plan.id,
    action: "billing.plan_created",
    after: { code: plan.code, name: plan.name, currency: plan.currency, monthlyPriceMinor: plan.monthlyPriceMinor },
  });
  return toPlan(plan, 0);
}

/**
 * Updates a plan. A change of monthly, yearly or overage price bumps `version` and clears the
 * Stripe price ids (the next {@link syncPlanToStripe} creates the new version's Prices); existing
 * subscriptions keep the Prices they were sold. Audited `billing.plan_updated`.
 * @throws DomainError invalid, not_found
 */
export async function updatePlan(tx: Tx, input: UpdateBillingPlanRequest): Promise<BillingPlan> {
  const parsed = ZUpdateBillingPlanRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const { id, ...changes } = parsed.data;
  const before = await tx.db.bilBillingPlan.findUnique({ where: { id } });
  if (!before) throw new DomainError("not_found", "plan not found");
  const priceChanged =
    (changes.monthlyPriceMinor !== undefined && changes.monthlyPriceMinor !== before.monthlyPriceMinor) ||
    (changes.yearlyPriceMinor !== undefined && changes.yearlyPriceMinor !== before.yearlyPriceMinor) ||
    (changes.overagePerVehicleMinor !== undefined && changes.overagePerVehicleMinor !== before.overagePerVehicleMinor);
  const plan = await tx.db.bilBillingPlan.update({
    where: { id },
    data: {
      ...changes,
      ...(priceChanged
        ? {
            version: before.version + 1,
            stripeMonthlyPriceId: null,
            stripeYearlyPriceId: null,
            stripeOveragePriceId: null,
          }
        : {}),
    },
  });
  const snapshot = (p: PlanRow) => ({
    name: p.name,
    description: p.description,
    monthlyPriceMinor: p.monthlyPriceMinor,
    yearlyPriceMinor: p.yearlyPriceMinor,
    includedVehicles: p.includedVehicles,
    includedDrivers: p.includedDrivers,
    overagePerVehicleMinor: p.overagePerVehicleMinor,
    features: p.features,
    isPublic: p.isPublic,
    isActive: p.isActive,
    version: p.version,
  });
  await tx.audit.record({
    tenantId: null,
    entityType: "billing_plan",
    entityId: id,
    action: "billing.plan_updated",
    before: snapshot(before),
    after: snapshot(plan),
  });
  return withCount(tx.db, plan);
}

/** Archives a plan: no new checkouts; existing subscriptions continue. Audited. @throws DomainError not_found */
export async function archivePlan(tx: Tx, id: string): Promise<BillingPlan> {
  const before = await tx.db.bilBillingPlan.findUnique({ where: { id } });
  if (!before) throw new DomainError("not_found", "plan not found");
  const plan = await tx.db.bilBillingPlan.update({ where: { id }, data: { isActive: false } });
  await tx.audit.record({
    tenantId: null,
    entityType: "billing_plan",
    entityId: id,
    action: "billing.plan_archived",
    before: { isActive: before.isActive },
    after: { isActive: false },
  });
  return withCount(tx.db, plan);
}

/**
 * The Billing Meter of vehicle overage (bil_settings.stripe_meter_id), created once: event_name from
 * the settings, customer_mapping by the payload's `stripe_customer_id`, value from the payload's
 * `value`, aggregation `sum` (API reference: Billing Meters). An existing active meter with the same
 * event name is linked instead of created. Stripe is called with no transaction open; `inTx` needs a
 * cross-tenant scope (writes bil_settings). Two concurrent first runs create one meter (same
 * idempotency key) and both store it; the first stored id wins.
 * @returns the meter id
 */
export async function ensureMeter(inTx: InTransaction, stripe: Stripe): Promise<string> {
  const settings = await inTx(({ db }) => db.bilSettings.findUniqueOrThrow({ where: { id: 1 } }));
  if (settings.stripeMeterId) return settings.stripeMeterId;
  let meterId: string | null = null;
  for await (const meter of stripe.billing.meters.list({ status: "active", limit: 100 })) {
    if (meter.event_name === settings.meterEventName) {
      meterId = meter.id;
      break;
    }
  }
  if (!meterId) {
    const meter = await stripe.billing.meters
      .create(
        {
          display_name: METER_DISPLAY_NAME,
          event_name: settings.meterEventName,
          default_aggregation: { formula: "sum" },
          customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
          value_settings: { event_payload_key: "value" },
        },
        { idempotencyKey: idempotencyKey("meter", settings.meterEventName) },
      )
      .catch(asDomainError);
    meterId = meter.id;
  }
  const found = meterId;
  return inTx(async ({ db }) => {
    await db.bilSettings.updateMany({ where: { id: 1, stripeMeterId: null }, data: { stripeMeterId: found } });
    const stored = await db.bilSettings.findUniqueOrThrow({ where: { id: 1 } });
    return stored.stripeMeterId ?? found;
  });
}

type PriceRole = "month" | "year" | "overage-month" | "overage-year";

function priceParams(plan: PlanRow, product: string, meterId: string, role: PriceRole): Stripe.PriceCreateParams {
  const metadata = {
    fleetcore_plan_id: plan.id,
    fleetcore_plan_version: String(plan.version),
    fleetcore_price_role: role.startsWith("overage") ? "overage" : "base",
  };
  const common = {
    product,
    currency: plan.currency.toLowerCase(),
    lookup_key: planLookupKey(plan.code, plan.version, role),
    metadata,
  };
  if (role === "month" || role === "year") {
    const amount = role === "month" ? plan.monthlyPriceMinor : (plan.yearlyPriceMinor ?? 0);
    return {
      ...common,
      nickname: `${plan.name} v${plan.version} (${role}ly)`,
      unit_amount: amount,
      recurring: { interval: role, usage_type: "licensed" },
    };
  }
  return {
    ...common,
    nickname: `${plan.name} v${plan.version} overage per vehicle-day (${role === "overage-month" ? "monthly" : "yearly"})`,
    unit_amount_decimal: Stripe.Decimal.from(overageUnitAmountDecimal(plan.overagePerVehicleMinor)),
    recurring: { interval: role === "overage-month" ? "month" : "year", usage_type: "metered", meter: meterId },
  };
}

/**
 * Creates or links the plan's Stripe Product and the Prices of its current version (see the file
 * comment), stores their ids, audited `billing.plan_synced`. Safe to re-run: the Product id, the
 * lookup keys and the idempotency keys all find what an earlier (maybe interrupted) run created.
 * Reads the plan, calls Stripe with no transaction open, then stores the ids (and the audit row) in
 * another short transaction of `inTx`'s scope (provider or system) — only if the plan is still at
 * the version whose Prices were made.
 * @throws DomainError not_found; invalid (Stripe refused, with Stripe's message); conflict (the plan's
 *   prices changed meanwhile: sync again)
 */
export async function syncPlanToStripe(inTx: InTransaction, stripe: Stripe, planId: string): Promise<BillingPlan> {
  const plan = await inTx(({ db }) => db.bilBillingPlan.findUnique({ where: { id: planId } }));
  if (!plan) throw new DomainError("not_found", "plan not found");
  const meterId = await ensureMeter(inTx, stripe);

  // Product: a stable id links a product an earlier run created.
  const productId = plan.stripeProductId ?? `fc_plan_${plan.code.replace(/-/g, "_")}`;
  const productFields = {
    name: plan.name,
    ...(plan.description ? { description: plan.description } : {}),
    metadata: { fleetcore_plan_id: plan.id, fleetcore_plan_code: plan.code },
  };
  let product: Stripe.Product;
  try {
    product = await stripe.products.retrieve(productId);
    if (product.name !== plan.name || (product.description ?? null) !== (plan.description ?? null)) {
      product = await stripe.products.update(productId, productFields, {
        idempotencyKey: idempotencyKey("product-update", productId, plan.name, plan.description),
      });
    }
  } catch (err) {
    if (!isStripeMissing(err)) asDomainError(err);
    product = await stripe.products
      .create({ id: productId, ...productFields }, { idempotencyKey: idempotencyKey("product", plan.id, productId) })
      .catch(asDomainError);
  }

  const roles: PriceRole[] = [
    "month",
    "overage-month",
    ...(plan.yearlyPriceMinor !== null ? (["year", "overage-year"] as const) : []),
  ];
  const lookupKeys = roles.map((r) => planLookupKey(plan.code, plan.version, r));
  const existing = new Map<string, string>();
  const listed = await stripe.prices.list({ lookup_keys: lookupKeys, active: true, limit: 10 }).catch(asDomainError);
  for (const price of listed.data) if (price.lookup_key) existing.set(price.lookup_key, price.id);
  const ids = new Map<PriceRole, string>();
  for (const role of roles) {
    const key = planLookupKey(plan.code, plan.version, role);
    let id = existing.get(key);
    if (!id) {
      const created = await stripe.prices
        .create(priceParams(plan, product.id, meterId, role), {
          idempotencyKey: idempotencyKey("price", plan.id, plan.version, role, meterId),
        })
        .catch(asDomainError);
      id = created.id;
    }
    ids.set(role, id);
  }
  return inTx(async (tx) => {
    const stored = await tx.db.bilBillingPlan.updateMany({
      where: { id: plan.id, version: plan.version },
      data: {
        stripeProductId: product.id,
        stripeMonthlyPriceId: ids.get("month") ?? null,
        stripeYearlyPriceId: ids.get("year") ?? null,
        stripeOveragePriceId: ids.get("overage-month") ?? null,
      },
    });
    if (stored.count === 0) {
      throw new DomainError("conflict", `the plan "${plan.name}" changed while it was syncing: sync it again`);
    }
    const updated = await tx.db.bilBillingPlan.findUniqueOrThrow({ where: { id: plan.id } });
    await tx.audit.record({
      tenantId: null,
      entityType: "billing_plan",
      entityId: plan.id,
      action: "billing.plan_synced",
      after: {
        stripeProductId: updated.stripeProductId,
        stripeMonthlyPriceId: updated.stripeMonthlyPriceId,
        stripeYearlyPriceId: updated.stripeYearlyPriceId,
        stripeOveragePriceId: updated.stripeOveragePriceId,
        version: updated.version,
      },
    });
    return withCount(tx.db, updated);
  });
}

/**
 * The Stripe Price ids to subscribe to `plan` with `interval`: the base price and the metered
 * overage price of the same interval (the yearly overage price is found by its lookup key).
 * @throws DomainError invalid (plan archived, not synced, no yearly option)
 */
export async function planPrices(
  stripe: Stripe,
  plan: PlanRow,
  interval: "month" | "year",
): Promise<{ basePriceId: string; overagePriceId: string }> {
  if (!plan.isActive) throw new DomainError("invalid", `the plan "${plan.name}" is no longer offered`);
  if (!isPlanSynced(plan))
    throw new DomainError("invalid", `the plan "${plan.name}" is not available yet (not synced to Stripe)`);
  if (interval === "month") {
    return { basePriceId: plan.stripeMonthlyPriceId as string, overagePriceId: plan.stripeOveragePriceId as string };
  }
  if (plan.yearlyPriceMinor === null || !plan.stripeYearlyPriceId) {
    throw new DomainError("invalid", `the plan "${plan.name}" has no yearly option`);
  }
  const key = planLookupKey(plan.code, plan.version, "overage-year");
  const listed = await stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 }).catch(asDomainError);
  const overage = listed.data[0];
  if (!overage)
    throw new DomainError("invalid", `the plan "${plan.name}" is not fully synced to Stripe (${key} missing)`);
  return { basePriceId: plan.stripeYearlyPriceId, overagePriceId: overage.id };
}
