/**
 * Demo portfolio for account managers and analysts: 48 more customer tenants with twelve months of
 * daily activity, so the health, churn and explorer screens tell a story at first start. Run by
 * `pnpm db:seed` (not by the test fixtures: tests build the data they assert on).
 *
 * The daily activity model (adoption, seasonality, archetypes: healthy, declining, recovering, low
 * adoption, onboarding; noise) lives in packages/core/src/demo/portfolio.ts, documented there: the
 * seed writes each tenant's history up to yesterday with it, and the server's analytics pass writes
 * every later day with the same model (`extendDemoPortfolio`), so the demo keeps moving.
 *
 * Also per tenant: a subscription on the demo plans (MRR) with its MRR history, a contract whose
 * renewal falls in the next year (within 90 days for decliners), engagements (monthly for healthy
 * tenants, none for 75+ days for decliners), support escalations while a tenant declines, and an
 * account manager (am@fleetcore.demo for most). The two live demo tenants are not generated: their
 * metrics come from their real activity.
 */
import {
  type DemoTenantMetadata,
  demoPortfolioProfiles,
  modelDemoDay,
  mulberry32,
  overageUnitAmountDecimal,
} from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";

const DAY_MS = 86_400_000;

/**
 * Seeds the portfolio (see the module comment); `log` receives progress lines. Skipped when the
 * generated tenants exist. Runs as the database owner.
 * @returns a summary, or null when it already ran
 */
export async function seedPortfolio(db: PrismaClient, log: (line: string) => void = () => {}): Promise<string | null> {
  if ((await db.tenant.count({ where: { metadata: { path: ["demoPortfolio"], equals: true } } })) > 0) return null;
  const random = mulberry32(8_2026_11);
  const list = demoPortfolioProfiles(random);
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const am = await db.providerEmployee.findFirst({ where: { user: { email: "am@fleetcore.demo" } } });
  const admin = await db.providerEmployee.findFirst({ where: { user: { email: "admin@fleetcore.demo" } } });
  const plans = await db.bilBillingPlan.findMany();
  const planFor = (p: (typeof list)[number]) =>
    plans.find((pl) => pl.currency === p.currency && pl.code.includes(p.vehicles > 40 ? "pro" : "starter")) ?? null;
  let rows = 0;
  for (const [i, p] of list.entries()) {
    const createdAt = new Date(today - p.ageDays * DAY_MS + 10 * 3600_000);
    const tenant = await db.tenant.create({
      data: {
        name: p.name,
        slug: p.slug,
        countryCode: p.countryCode,
        defaultCurrency: p.currency,
        timezone: p.timezone,
        segment: p.vehicles < 30 ? "smb" : p.vehicles < 150 ? "mid_market" : "enterprise",
        status: p.archetype === "onboarding" ? "trial" : "active",
        metadata: {
          demoPortfolio: true,
          archetype: p.archetype,
          demoModel: { ...p, seededOn: new Date(today).toISOString().slice(0, 10) },
        } satisfies DemoTenantMetadata,
        createdAt,
      },
    });
    await db.tenantLifecycleEvent.create({
      data: { tenantId: tenant.id, eventType: "created", toStatus: tenant.status, occurredAt: createdAt, createdAt },
    });
    const manager = i % 5 === 4 ? admin : am;
    if (manager) {
      await db.tenantAccountManager.create({
        data: { tenantId: tenant.id, employeeId: manager.id, role: "owner", startDate: createdAt },
      });
    }

    // Subscription and MRR history (local-only ids, like the billing seed).
    const plan = planFor(p);
    if (plan && p.archetype !== "onboarding") {
      const yearly = i % 4 === 0 && plan.yearlyPriceMinor !== null;
      const mrr = yearly ? Math.round((plan.yearlyPriceMinor ?? 0) / 12) : plan.monthlyPriceMinor;
      const startedAt = new Date(createdAt.getTime() + 14 * DAY_MS);
      await db.bilTenantSubscription.create({
        data: {
          tenantId: tenant.id,
          planId: plan.id,
          planVersion: plan.version,
          interval: yearly ? "year" : "month",
          status: p.archetype === "declining" && i % 2 === 0 ? "past_due" : "active",
          currentPeriodStart: new Date(today - 10 * DAY_MS),
          currentPeriodEnd: new Date(today + 20 * DAY_MS),
          pastDueSince: p.archetype === "declining" && i % 2 === 0 ? new Date(today - 9 * DAY_MS) : null,
          mrrMinor: mrr,
          baseAmountMinor: yearly ? (plan.yearlyPriceMinor ?? 0) : plan.monthlyPriceMinor,
          overageUnitAmountDecimal: overageUnitAmountDecimal(plan.overagePerVehicleMinor),
          currency: p.currency,
          stripeCustomerId: `cus_demo_pf_${i}`,
          stripeSubscriptionId: `sub_demo_pf_${i}`,
          createdAt: startedAt,
        },
      });
      await db.bilMrrChange.create({
        data: { tenantId: tenant.id, occurredAt: startedAt, fromMrrMinor: 0, toMrrMinor: mrr, currency: p.currency },
      });
    }

    // A contract whose renewal falls within the next year; decliners renew within 90 days.
    const renewalInDays =
      p.archetype === "declining" ? 35 + Math.round(random() * 50) : 20 + Math.round(random() * 330);
    await db.crmContract.create({
      data: {
        tenantId: tenant.id,
        planName: plan?.name ?? "Fleet Starter",
        effectiveDate: new Date(today + renewalInDays * DAY_MS - 365 * DAY_MS),
        expiryDate: new Date(today + renewalInDays * DAY_MS),
        annualValueMinor: plan ? BigInt(plan.monthlyPriceMinor * 12) : null,
        currency: plan ? p.currency : null,
        status: "active",
        createdAt: new Date(today + renewalInDays * DAY_MS - 380 * DAY_MS),
      },
    });

    // Support escalations while a tenant declines: high and urgent tickets, resolved late or still open.
    if (p.archetype === "declining" || p.archetype === "recovering") {
      const requester = await db.user.create({
        data: { email: `ops@${p.slug}.demo`, fullName: `${p.name} operations` },
      });
      const escalationDays = p.archetype === "declining" ? [55, 41, 30, 22, 14, 6, 3] : [120, 105, 90];
      for (const [k, d] of escalationDays.entries()) {
        const opened = new Date(today - d * DAY_MS + 9 * 3600_000);
        const urgent = k % 3 === 0;
        const stillOpen = d < 10;
        await db.supTicket.create({
          data: {
            tenantId: tenant.id,
            submittedByUserId: requester.id,
            subject: urgent ? "Vehicles missing from the live map" : "Alerts arrive hours late",
            description: "Our dispatchers cannot rely on the live data.",
            category: "technical",
            priority: urgent ? "urgent" : "high",
            status: stillOpen ? "in_progress" : "closed",
            firstResponseAt: new Date(opened.getTime() + (urgent ? 3 : 9) * 3600_000),
            firstResponseDueAt: new Date(opened.getTime() + (urgent ? 1 : 4) * 3600_000),
            resolutionDueAt: new Date(opened.getTime() + (urgent ? 8 : 24) * 3600_000),
            resolvedAt: stillOpen ? null : new Date(opened.getTime() + 3 * DAY_MS),
            closedAt: stillOpen ? null : new Date(opened.getTime() + 10 * DAY_MS),
            createdAt: opened,
            updatedAt: opened,
          },
        });
      }
    }

    // Engagements: monthly for healthy tenants; none for 75+ days for decliners; a rescue for the recovering one.
    const engagementDays: [number, "positive" | "neutral" | "negative" | "action_required"][] = [];
    for (let d = Math.min(p.ageDays, 365) - 5; d > 0; d -= 25 + Math.round(random() * 15)) {
      if (p.archetype === "declining" && d < 75) break;
      if (p.archetype === "recovering" && d < 100) break;
      engagementDays.push([d, random() < 0.7 ? "positive" : "neutral"]);
    }
    if (p.archetype === "recovering") engagementDays.push([70, "action_required"], [55, "positive"], [35, "positive"]);
    for (const [d, outcome] of engagementDays) {
      const at = new Date(today - d * DAY_MS + 15 * 3600_000);
      await db.crmEngagement.create({
        data: {
          tenantId: tenant.id,
          createdByUserId: manager?.userId ?? null,
          type: (["call", "meeting", "email", "training", "demo"] as const)[Math.floor(random() * 5)] ?? "call",
          title: d === 70 && p.archetype === "recovering" ? "Rescue call: usage dropped by half" : "Check-in",
          outcome,
          scheduledAt: at,
          completedAt: at,
          createdAt: at,
        },
      });
    }

    // Twelve months (or since sign-up) of daily activity, up to yesterday.
    const days = Math.min(p.ageDays, 365);
    const data = [];
    let ticketsOpen = 0;
    for (let daysAgo = days; daysAgo >= 1; daysAgo--) {
      const day = modelDemoDay(p, today - daysAgo * DAY_MS, today, ticketsOpen, plan);
      ticketsOpen = day.ticketsOpen;
      data.push({ tenantId: tenant.id, ...day.row });
    }
    await db.tenantActivityMetric.createMany({ data });
    rows += data.length;
    if ((i + 1) % 8 === 0 || i === list.length - 1)
      log(`portfolio: ${i + 1}/${list.length} tenants, ${rows} daily rows`);
  }
  return `portfolio: ${list.length} tenants with ${rows} days of activity (12 months; 5 declining, 1 recovering)`;
}
