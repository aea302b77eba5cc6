/**
 * Demo portfolio for account managers and analysts: 48 more customer tenants with twelve months of
 * daily activity, so the health, churn and explorer screens tell a story at first start. Run by
 * `pnpm db:seed` (not by the test fixtures: tests build the data they assert on).
 *
 * The model (deterministic: mulberry32 seeded with a constant, so every demo looks the same):
 *
 * - **Fleet**: each tenant runs V vehicles (5–320, log-uniform); segment by size (smb < 30 ≤
 *   mid_market < 150 ≤ enterprise); 1.2 drivers per vehicle; 2–24 seats (dashboard users).
 * - **Adoption**: a logistic ramp over the first two months after sign-up,
 *   a(d) = 1 / (1 + e^(−(age_d − 30) / 9)).
 * - **Seasonality**: weekdays 1.0, Saturday 0.55, Sunday 0.35; a ±8 % yearly wave peaking in late
 *   September (school and delivery seasons), s(d) = 1 + 0.08 sin(2π (doy − 172) / 365).
 * - **Trajectory** by archetype, a factor g(d) on usage:
 *   - *healthy* (most): slow growth, g = 1 + 0.15 · years since sign-up;
 *   - *declining* (5 tenants): from 60–110 days ago usage decays linearly to 12–24 % today; tickets
 *     rise, CSAT falls, dispatchers answer slower, engagement stops, a payment fails, the renewal
 *     is within 90 days — they should end red, with a high churn risk;
 *   - *recovering* (1 tenant, "Harbor Freight Lines"): declines from 150 to 70 days ago down to 45 %,
 *     then an account manager steps in (engagements at −70, −55, −35 days) and usage climbs back
 *     to 95 % by today;
 *   - *low adoption* (3 tenants): plateau at 35–50 % of their fleet, never growing;
 *   - *onboarding* (3 tenants): signed up 8–25 days ago (scored by the onboarding profile).
 * - **Noise**: each daily figure × a log-normal factor (σ ≈ 0.08).
 * - **Figures per day** from u = a · s · g · noise: active vehicles = round(0.88 · V · u) (≤ V),
 *   positions ≈ 1,900 per active vehicle, distance ≈ 145 km per active vehicle, trips ≈ 6.5 per
 *   active vehicle, logins ≈ 0.8 · seats · u (weekdays), messages ∝ active drivers, events ≈ 2.2 per
 *   active vehicle (12 % alerts), tickets ~ a small daily rate (×3 when declining), CSAT answers on
 *   some days (4–5, or 2–3 when declining), NPS twice a year, a failed payment for decliners.
 *
 * Also per tenant: a subscription on the demo plans (MRR) with its MRR history, a contract whose
 * renewal falls in the next year (within 90 days for decliners), engagements (monthly for healthy
 * tenants, none for 75+ days for decliners), and an account manager (am@fleetcore.demo for most).
 * The two live demo tenants are not generated: their metrics come from their real activity.
 */
import { overageUnitAmountDecimal } from "@fleetcore/core";
import type { PrismaClient } from "@fleetcore/db";

const DAY_MS = 86_400_000;

/** mulberry32 (Tommy Ettinger's small 32-bit PRNG): deterministic demo data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Archetype = "healthy" | "declining" | "recovering" | "low_adoption" | "onboarding";

const PLACES = [
  "Aurora",
  "Bayside",
  "Cedar",
  "Delta",
  "Evergreen",
  "Frontier",
  "Granite",
  "Harbor",
  "Iron Range",
  "Juniper",
  "Keystone",
  "Lakeshore",
  "Meridian",
  "Northwind",
  "Oakridge",
  "Pioneer",
  "Quarry",
  "Redwood",
  "Summit",
  "Tidewater",
  "Union",
  "Valley",
  "Westgate",
  "Yellowstone",
  "Alpine",
  "Baltic",
  "Canal",
  "Danube",
  "Elbe",
  "Fjord",
  "Garonne",
  "Highland",
  "Isar",
  "Jura",
  "Loire",
  "Moselle",
  "Nordic",
  "Oder",
  "Provence",
  "Rhine",
  "Saône",
  "Tagus",
  "Vistula",
  "Wessex",
  "Zephyr",
  "Coastal",
  "Prairie",
  "Mesa",
];
const KINDS = [
  "Couriers",
  "Freight Lines",
  "Transit",
  "Logistics",
  "Haulage",
  "Ambulance",
  "School Buses",
  "Deliveries",
];

interface Profile {
  name: string;
  slug: string;
  currency: "USD" | "EUR";
  countryCode: string;
  timezone: string;
  vehicles: number;
  seats: number;
  ageDays: number;
  archetype: Archetype;
  /** Decline start (days ago) and floor, or plateau level, per archetype. */
  declineFromDays: number;
  floor: number;
}

function profiles(random: () => number): Profile[] {
  const archetypes: Archetype[] = [
    ...Array<Archetype>(5).fill("declining"),
    "recovering",
    ...Array<Archetype>(3).fill("low_adoption"),
    ...Array<Archetype>(3).fill("onboarding"),
  ];
  while (archetypes.length < 48) archetypes.push("healthy");
  // Spread the special cases through the list rather than first.
  const order = archetypes.map((a, i) => ({ a, k: (i * 7919) % 48 })).sort((x, y) => x.k - y.k);
  return order.map(({ a }, i) => {
    const place = PLACES[i % PLACES.length] ?? "Metro";
    const kind = KINDS[(i * 3) % KINDS.length] ?? "Fleet";
    const name = a === "recovering" ? "Harbor Freight Lines" : `${place} ${kind}`;
    const europe = i % 3 === 1;
    const vehicles = Math.round(5 * (320 / 5) ** random());
    return {
      name,
      slug: `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${i}`,
      currency: europe ? "EUR" : "USD",
      countryCode: europe ? (["FR", "DE", "NL", "ES"][i % 4] ?? "FR") : "US",
      timezone: europe
        ? "Europe/Paris"
        : (["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"][i % 4] ??
          "America/Chicago"),
      vehicles,
      seats: 2 + Math.round(random() * 22),
      ageDays:
        a === "onboarding"
          ? 8 + Math.round(random() * 17)
          : (a === "healthy" || a === "low_adoption" ? 120 : 300) + Math.round(random() * 420),
      archetype: a,
      declineFromDays: a === "declining" ? 60 + Math.round(random() * 50) : a === "recovering" ? 150 : 0,
      floor: a === "declining" ? 0.12 + random() * 0.12 : a === "low_adoption" ? 0.35 + random() * 0.15 : 0.45,
    };
  });
}

/** Usage trajectory g at `daysAgo` (0 = today) for a profile; see the module comment. */
function trajectory(p: Profile, daysAgo: number, ageYears: number): number {
  switch (p.archetype) {
    case "declining":
      return daysAgo >= p.declineFromDays ? 1 : p.floor + (1 - p.floor) * (daysAgo / p.declineFromDays);
    case "recovering":
      if (daysAgo >= 150) return 1;
      if (daysAgo >= 70) return 0.45 + 0.55 * ((daysAgo - 70) / 80);
      return 0.95 - 0.5 * (daysAgo / 70);
    case "low_adoption":
      return p.floor;
    default:
      return 1 + 0.15 * ageYears;
  }
}

const FEATURES = [
  "map",
  "feed",
  "vehicle.list",
  "driver.list",
  "geofence.list",
  "replay.vehicle",
  "conversation.send",
  "messageAnalytics.summary",
  "event.acknowledge",
  "display.list",
  "member.list",
  "integration.list",
  "ticket.list",
  "audit.list",
  "gtfsFeed.list",
  "billing.overview",
];

/**
 * Seeds the portfolio (see the module comment); `log` receives progress lines. Skipped when the
 * generated tenants exist. Runs as the database owner.
 * @returns a summary, or null when it already ran
 */
export async function seedPortfolio(db: PrismaClient, log: (line: string) => void = () => {}): Promise<string | null> {
  if ((await db.tenant.count({ where: { metadata: { path: ["demoPortfolio"], equals: true } } })) > 0) return null;
  const random = mulberry32(8_2026_11);
  const noise = () => Math.exp((random() + random() + random() - 1.5) * 0.16);
  const list = profiles(random);
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const am = await db.providerEmployee.findFirst({ where: { user: { email: "am@fleetcore.demo" } } });
  const admin = await db.providerEmployee.findFirst({ where: { user: { email: "admin@fleetcore.demo" } } });
  const plans = await db.bilBillingPlan.findMany();
  const planFor = (p: Profile) =>
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
        metadata: { demoPortfolio: true, archetype: p.archetype },
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

    // Twelve months (or since sign-up) of daily activity.
    const days = Math.min(p.ageDays, 365);
    const drivers = Math.round(p.vehicles * 1.2);
    const data = [];
    let ticketsOpen = 0;
    for (let daysAgo = days; daysAgo >= 1; daysAgo--) {
      const dayMs = today - daysAgo * DAY_MS;
      const day = new Date(dayMs);
      const age = p.ageDays - daysAgo;
      const adoption = 1 / (1 + Math.exp(-(age - 30) / 9));
      const weekday = day.getUTCDay();
      const week = weekday === 6 ? 0.55 : weekday === 0 ? 0.35 : 1;
      const doy = Math.floor((dayMs - Date.UTC(day.getUTCFullYear(), 0, 1)) / DAY_MS);
      const season = 1 + 0.08 * Math.sin((2 * Math.PI * (doy - 172)) / 365);
      const g = trajectory(p, daysAgo, age / 365);
      const u = adoption * season * g;
      const declining =
        (p.archetype === "declining" && daysAgo < p.declineFromDays) ||
        (p.archetype === "recovering" && daysAgo < 150 && daysAgo > 60);
      const activeVehicles = Math.min(p.vehicles, Math.round(0.88 * p.vehicles * u * week * noise()));
      const activeDrivers = Math.min(drivers, Math.round(activeVehicles * 1.05));
      const logins = Math.round(0.8 * p.seats * u * (weekday === 0 || weekday === 6 ? 0.2 : 1) * noise());
      const ticketRate = (declining ? 0.35 : 0.08) * Math.max(1, p.vehicles / 40);
      const opened = random() < ticketRate ? 1 + (random() < ticketRate / 3 ? 1 : 0) : 0;
      ticketsOpen = Math.max(0, ticketsOpen + opened - (random() < (declining ? 0.15 : 0.3) ? 1 : 0));
      const csatAnswered = opened > 0 && random() < 0.5;
      const csat = declining ? 2 + Math.round(random() * 1.2) : 4 + Math.round(random());
      const npsAnswered = daysAgo % 182 === 30;
      const featureCount = Math.max(1, Math.round(FEATURES.length * (0.35 + 0.55 * Math.min(1, u)) * noise()));
      const featuresUsed = Object.fromEntries(
        FEATURES.slice(0, Math.min(FEATURES.length, featureCount)).map((f) => [
          f,
          Math.max(1, Math.round(logins * 3 * random())),
        ]),
      );
      data.push({
        tenantId: tenant.id,
        periodStart: day,
        periodEnd: new Date(dayMs + DAY_MS),
        activeUsers: Math.min(p.seats, logins),
        logins,
        sessions: Math.round(logins * 1.3),
        activeDrivers,
        activeVehicles,
        positions: BigInt(Math.round(activeVehicles * 1900 * noise())),
        distanceM: BigInt(Math.round(activeVehicles * 145_000 * noise())),
        trips: Math.round(activeVehicles * 6.5 * noise()),
        messagesSent: Math.round(activeDrivers * 0.9 * noise()),
        messagesReceived: Math.round(activeDrivers * 1.1 * noise()),
        medianResponseS: activeDrivers > 0 ? Math.round((declining ? 900 + 2400 * (1 - g) : 240) * noise()) : null,
        events: Math.round(activeVehicles * 2.2 * noise()),
        alerts: Math.round(activeVehicles * 0.26 * noise()),
        ticketsOpened: opened,
        ticketsOpen,
        csatResponses: csatAnswered ? 1 : 0,
        csatAvg: csatAnswered ? Math.min(5, csat).toFixed(2) : null,
        npsResponses: npsAnswered ? 3 : 0,
        nps: npsAnswered ? (declining ? -20 : 35) : null,
        failedPayments: p.archetype === "declining" && (daysAgo === 40 || daysAgo === 9) ? 1 : 0,
        featuresUsed,
        featureCount,
        seatsUsed: Math.min(p.seats, Math.max(1, logins)),
        seatsPlan: plan?.includedDrivers ?? null,
        vehiclesPlan: plan?.includedVehicles ?? null,
      });
    }
    await db.tenantActivityMetric.createMany({ data });
    rows += data.length;
    if ((i + 1) % 8 === 0 || i === list.length - 1)
      log(`portfolio: ${i + 1}/${list.length} tenants, ${rows} daily rows`);
  }
  return `portfolio: ${list.length} tenants with ${rows} days of activity (12 months; 5 declining, 1 recovering)`;
}
