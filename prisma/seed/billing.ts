/**
 * Demo billing (issue 7): plans "Fleet Starter" and "Fleet Pro" in USD and EUR (not synced to
 * Stripe: a provider admin syncs them once STRIPE_SECRET_KEY is set), and for each demo tenant a
 * local-only subscription history with 12 months of MRR changes, so the MRR chart tells a story:
 * - Lone Star Transit (USD): trial → Starter → upgraded to Pro (expansion) → Pro yearly (a small
 *   contraction: yearly is cheaper per month);
 * - Rhône Livraisons (EUR): Starter → Pro (expansion) → canceled (churn) → back on Starter
 *   (reactivation).
 * Stripe ids are fake (`cus_demo_…`, `sub_demo_…`, `in_demo_…`): nothing here calls Stripe.
 * Money in minor units, computed with core's monthlyAmountMinor (MRR, as the webhooks do) and
 * overageAmountMinor (overage lines, as Stripe prices them) from the plans below.
 * Runs as the database owner, once (skipped when any plan exists).
 */
import { monthlyAmountMinor, overageAmountMinor, overageUnitAmountDecimal } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

const DAY_MS = 86_400_000;

const PLANS = [
  {
    code: "fleet-starter-usd",
    name: "Fleet Starter",
    currency: "USD",
    monthlyPriceMinor: 2900,
    yearlyPriceMinor: 29000,
    includedVehicles: 10,
    includedDrivers: 20,
    overagePerVehicleMinor: 500,
    features: { whatsapp: false, retentionDays: 90, gtfs: false },
  },
  {
    code: "fleet-pro-usd",
    name: "Fleet Pro",
    currency: "USD",
    monthlyPriceMinor: 9900,
    yearlyPriceMinor: 99000,
    includedVehicles: 40,
    includedDrivers: 80,
    overagePerVehicleMinor: 400,
    features: { whatsapp: true, retentionDays: 365, gtfs: true },
  },
  {
    code: "fleet-starter-eur",
    name: "Fleet Starter",
    currency: "EUR",
    monthlyPriceMinor: 2500,
    yearlyPriceMinor: 25000,
    includedVehicles: 10,
    includedDrivers: 20,
    overagePerVehicleMinor: 450,
    features: { whatsapp: false, retentionDays: 90, gtfs: false },
  },
  {
    code: "fleet-pro-eur",
    name: "Fleet Pro",
    currency: "EUR",
    monthlyPriceMinor: 8900,
    yearlyPriceMinor: 89000,
    includedVehicles: 40,
    includedDrivers: 80,
    overagePerVehicleMinor: 350,
    features: { whatsapp: true, retentionDays: 365, gtfs: true },
  },
] as const;

type PlanCode = (typeof PLANS)[number]["code"];
const planOf = (code: PlanCode) => PLANS.find((p) => p.code === code) as (typeof PLANS)[number];

/** The plan's MRR on `interval`, as the webhooks compute it from the Stripe Price ({@link monthlyAmountMinor}). */
const mrrOf = (code: PlanCode, interval: "month" | "year") =>
  monthlyAmountMinor(interval === "year" ? planOf(code).yearlyPriceMinor : planOf(code).monthlyPriceMinor, 1, interval);

/** The prices a subscription to `code` on `interval` is sold at (what the webhooks store from its Stripe items). */
const soldAt = (code: PlanCode, interval: "month" | "year") => ({
  baseAmountMinor: interval === "year" ? planOf(code).yearlyPriceMinor : planOf(code).monthlyPriceMinor,
  overageUnitAmountDecimal: overageUnitAmountDecimal(planOf(code).overagePerVehicleMinor),
});

/** An invoice's overage line for `vehicleDays`, priced as Stripe does ({@link overageAmountMinor}). */
const overageLine = (code: PlanCode, vehicleDays: number) => ({
  kind: "overage",
  description: "Overage vehicle-days",
  amountMinor: overageAmountMinor(vehicleDays, planOf(code).overagePerVehicleMinor),
  quantity: vehicleDays,
});

/** Seeds billing; returns a summary, or null when it already ran (or the demo tenants are missing). */
export async function seedBilling(db: PrismaClient, tenants: Tenant[]): Promise<string | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.seed.billing', 0))`;
      if ((await tx.bilBillingPlan.count()) > 0) return null;
      const bySlug = new Map(tenants.map((t) => [t.slug, t]));
      const lonestar = bySlug.get("lone-star-transit");
      const rhone = bySlug.get("rhone-livraisons");
      if (!lonestar || !rhone) return null;
      const now = Date.now();
      const ago = (days: number) => new Date(now - days * DAY_MS);

      const plan: Record<string, string> = {};
      for (const p of PLANS) plan[p.code] = (await tx.bilBillingPlan.create({ data: { ...p } })).id;

      // Lone Star Transit (USD).
      await tx.bilBillingAccount.create({
        data: { tenantId: lonestar.id, stripeCustomerId: "cus_demo_lonestar", billingEmail: "billing@lonestar.demo" },
      });
      await tx.bilTenantSubscription.create({
        data: {
          tenantId: lonestar.id,
          planId: plan["fleet-pro-usd"],
          planVersion: 1,
          interval: "year",
          status: "active",
          currentPeriodStart: ago(60),
          currentPeriodEnd: ago(60 - 365),
          trialEnd: ago(351),
          mrrMinor: mrrOf("fleet-pro-usd", "year"),
          ...soldAt("fleet-pro-usd", "year"),
          currency: "USD",
          stripeCustomerId: "cus_demo_lonestar",
          stripeSubscriptionId: "sub_demo_lonestar_1",
          stripeBaseItemId: "si_demo_lonestar_base",
          stripeOverageItemId: "si_demo_lonestar_overage",
          stripeEventCreatedAt: ago(60),
          createdAt: ago(365),
        },
      });
      await tx.bilPaymentMethod.create({
        data: {
          tenantId: lonestar.id,
          stripePaymentMethodId: "pm_demo_lonestar",
          type: "card",
          brand: "visa",
          last4: "4242",
          expMonth: 8,
          expYear: new Date(now).getUTCFullYear() + 2,
          isDefault: true,
        },
      });

      // Rhône Livraisons (EUR): a first subscription that churned, and the current one.
      await tx.bilBillingAccount.create({
        data: { tenantId: rhone.id, stripeCustomerId: "cus_demo_rhone", billingEmail: "factures@rhone.demo" },
      });
      await tx.bilTenantSubscription.create({
        data: {
          tenantId: rhone.id,
          planId: plan["fleet-pro-eur"],
          planVersion: 1,
          interval: "month",
          status: "canceled",
          currentPeriodStart: ago(150),
          currentPeriodEnd: ago(120),
          canceledAt: ago(135),
          endedAt: ago(120),
          mrrMinor: 0,
          ...soldAt("fleet-pro-eur", "month"),
          currency: "EUR",
          stripeCustomerId: "cus_demo_rhone",
          stripeSubscriptionId: "sub_demo_rhone_1",
          stripeEventCreatedAt: ago(120),
          createdAt: ago(300),
        },
      });
      await tx.bilTenantSubscription.create({
        data: {
          tenantId: rhone.id,
          planId: plan["fleet-starter-eur"],
          planVersion: 1,
          interval: "month",
          status: "active",
          currentPeriodStart: ago(5),
          currentPeriodEnd: ago(5 - 30),
          mrrMinor: mrrOf("fleet-starter-eur", "month"),
          ...soldAt("fleet-starter-eur", "month"),
          currency: "EUR",
          stripeCustomerId: "cus_demo_rhone",
          stripeSubscriptionId: "sub_demo_rhone_2",
          stripeBaseItemId: "si_demo_rhone_base",
          stripeOverageItemId: "si_demo_rhone_overage",
          stripeEventCreatedAt: ago(5),
          createdAt: ago(65),
        },
      });
      await tx.bilPaymentMethod.create({
        data: {
          tenantId: rhone.id,
          stripePaymentMethodId: "pm_demo_rhone",
          type: "sepa_debit",
          brand: "COBADEFF",
          last4: "3000",
          isDefault: true,
        },
      });

      // MRR history: what the webhooks would have written.
      const starterUsd = mrrOf("fleet-starter-usd", "month");
      const proUsd = mrrOf("fleet-pro-usd", "month");
      const proUsdYearly = mrrOf("fleet-pro-usd", "year");
      const starterEur = mrrOf("fleet-starter-eur", "month");
      const proEur = mrrOf("fleet-pro-eur", "month");
      const changes = [
        { tenantId: lonestar.id, days: 351, from: 0, to: starterUsd, currency: "USD" }, // trial ends: new
        { tenantId: lonestar.id, days: 150, from: starterUsd, to: proUsd, currency: "USD" }, // upgrade: expansion
        { tenantId: lonestar.id, days: 60, from: proUsd, to: proUsdYearly, currency: "USD" }, // yearly: contraction
        { tenantId: rhone.id, days: 300, from: 0, to: starterEur, currency: "EUR" }, // new
        { tenantId: rhone.id, days: 210, from: starterEur, to: proEur, currency: "EUR" }, // expansion
        { tenantId: rhone.id, days: 120, from: proEur, to: 0, currency: "EUR" }, // churn
        { tenantId: rhone.id, days: 65, from: 0, to: starterEur, currency: "EUR" }, // reactivation
      ];
      await tx.bilMrrChange.createMany({
        data: changes.map((c) => ({
          tenantId: c.tenantId,
          occurredAt: ago(c.days),
          fromMrrMinor: c.from,
          toMrrMinor: c.to,
          currency: c.currency,
        })),
      });

      // The last three invoices of each current subscription, paid.
      let invoices = 0;
      const invoice = async (
        t: { id: string; slug: string },
        sub: string,
        currency: string,
        days: number,
        lines: Array<{ kind: string; description: string; amountMinor: number; quantity: number | null }>,
      ) => {
        invoices += 1;
        const total = lines.reduce((s, l) => s + l.amountMinor, 0);
        const id = `in_demo_${t.slug.replace(/-/g, "_")}_${days}`;
        const row = await tx.bilTenantInvoice.create({
          data: {
            tenantId: t.id,
            stripeInvoiceId: id,
            stripeSubscriptionId: sub,
            number: `DEMO-${String(invoices).padStart(4, "0")}`,
            status: "paid",
            currency,
            subtotalMinor: total,
            totalMinor: total,
            amountDueMinor: total,
            amountPaidMinor: total,
            periodStart: ago(days),
            periodEnd: ago(days - 30),
            attemptCount: 1,
            paidAt: ago(days),
            issuedAt: ago(days),
          },
        });
        await tx.bilTenantInvoiceLine.createMany({
          data: lines.map((l, i) => ({
            invoiceId: row.id,
            tenantId: t.id,
            stripeLineId: `il_demo_${id}_${i}`,
            description: l.description,
            amountMinor: l.amountMinor,
            currency,
            quantity: l.quantity,
            kind: l.kind,
            proration: l.kind === "proration",
            periodStart: ago(days),
            periodEnd: ago(days - 30),
          })),
        });
      };
      await invoice(lonestar, "sub_demo_lonestar_1", "USD", 120, [
        {
          kind: "base",
          description: "1 × Fleet Pro (at $99.00 / month)",
          amountMinor: planOf("fleet-pro-usd").monthlyPriceMinor,
          quantity: 1,
        },
        overageLine("fleet-pro-usd", 70),
      ]);
      await invoice(lonestar, "sub_demo_lonestar_1", "USD", 90, [
        {
          kind: "base",
          description: "1 × Fleet Pro (at $99.00 / month)",
          amountMinor: planOf("fleet-pro-usd").monthlyPriceMinor,
          quantity: 1,
        },
        overageLine("fleet-pro-usd", 30),
      ]);
      await invoice(lonestar, "sub_demo_lonestar_1", "USD", 60, [
        {
          kind: "base",
          description: "1 × Fleet Pro (at $990.00 / year)",
          amountMinor: planOf("fleet-pro-usd").yearlyPriceMinor,
          quantity: 1,
        },
        { kind: "proration", description: "Unused time on Fleet Pro (monthly)", amountMinor: -3300, quantity: 1 },
      ]);
      await invoice(rhone, "sub_demo_rhone_2", "EUR", 65, [
        {
          kind: "base",
          description: "1 × Fleet Starter (at €25.00 / month)",
          amountMinor: planOf("fleet-starter-eur").monthlyPriceMinor,
          quantity: 1,
        },
      ]);
      await invoice(rhone, "sub_demo_rhone_2", "EUR", 35, [
        {
          kind: "base",
          description: "1 × Fleet Starter (at €25.00 / month)",
          amountMinor: planOf("fleet-starter-eur").monthlyPriceMinor,
          quantity: 1,
        },
        overageLine("fleet-starter-eur", 10),
      ]);
      await invoice(rhone, "sub_demo_rhone_2", "EUR", 5, [
        {
          kind: "base",
          description: "1 × Fleet Starter (at €25.00 / month)",
          amountMinor: planOf("fleet-starter-eur").monthlyPriceMinor,
          quantity: 1,
        },
      ]);

      return `billing plans (Starter and Pro in USD and EUR), demo subscriptions, ${changes.length} MRR changes over 12 months and ${invoices} invoices`;
    },
    { timeout: 60_000 },
  );
}
