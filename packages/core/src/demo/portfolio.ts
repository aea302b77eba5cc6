/**
 * The demo portfolio's model (see prisma/seed/portfolio.ts for the story it tells): 48 generated
 * customer tenants whose daily activity follows a documented model, so the account managers' and
 * analysts' screens have a year of history at first start — and keep moving afterwards: the seed
 * writes the history up to yesterday, and {@link extendDemoPortfolio} (run by the server's analytics
 * pass) writes each later day from the same model, so the demo does not go stale.
 *
 * The model (deterministic: mulberry32 seeded per tenant and day, so every demo looks the same):
 *
 * - **Fleet**: each tenant runs V vehicles (5–320, log-uniform); segment by size (smb < 30 ≤
 *   mid_market < 150 ≤ enterprise); 1.2 drivers per vehicle; 2–24 seats (dashboard users).
 * - **Adoption**: a logistic ramp over the first two months after sign-up,
 *   a(d) = 1 / (1 + e^(−(age_d − 30) / 9)).
 * - **Seasonality**: weekdays 1.0, Saturday 0.55, Sunday 0.35; a ±8 % yearly wave peaking in late
 *   September (school and delivery seasons), s(d) = 1 + 0.08 sin(2π (doy − 172) / 365).
 * - **Trajectory** by archetype, a factor g(d) on usage, d = days before the seed day (after it,
 *   each archetype holds where the seed day left it, healthy tenants still growing):
 *   - *healthy* (most): slow growth, g = 1 + 0.15 · years since sign-up;
 *   - *declining* (5 tenants): from 60–110 days before the seed day usage decays linearly to
 *     12–24 %; tickets rise, CSAT falls, dispatchers answer slower, engagement stops, a payment
 *     fails, the renewal is within 90 days — they end red, with a high churn risk;
 *   - *recovering* (1 tenant, "Harbor Freight Lines"): declines from 150 to 70 days before down to
 *     45 %, then an account manager steps in and usage climbs back to 95 % by the seed day;
 *   - *low adoption* (3 tenants): plateau at 35–50 % of their fleet, never growing;
 *   - *onboarding* (3 tenants): signed up 8–25 days before the seed day (scored by the onboarding
 *     profile until day 30).
 * - **Noise**: each daily figure × a log-normal factor (σ ≈ 0.08).
 * - **Figures per day** from u = a · s · g · noise: active vehicles = round(0.88 · V · u) (≤ V),
 *   positions ≈ 1,900 per active vehicle, distance ≈ 145 km per active vehicle, trips ≈ 6.5 per
 *   active vehicle, logins ≈ 0.8 · seats · u (weekdays), messages ∝ active drivers, events ≈ 2.2 per
 *   active vehicle (12 % alerts), tickets ~ a small daily rate (×3 when declining), CSAT answers on
 *   some days (4–5, or 2–3 when declining), NPS twice a year, a failed payment for decliners.
 */
import { type Prisma, type PrismaClient, withScope } from "@fleetcore/db";

const DAY_MS = 86_400_000;

/** mulberry32 (Tommy Ettinger's small 32-bit PRNG): deterministic demo data. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The story a demo tenant tells. */
export type DemoArchetype = "healthy" | "declining" | "recovering" | "low_adoption" | "onboarding";

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

/** One generated tenant's parameters (stored in its `metadata.demoModel`, with `seededOn`). */
export interface DemoTenantProfile {
  name: string;
  slug: string;
  currency: "USD" | "EUR";
  countryCode: string;
  timezone: string;
  vehicles: number;
  seats: number;
  ageDays: number;
  archetype: DemoArchetype;
  /** Decline start (days ago) and floor, or plateau level, per archetype. */
  declineFromDays: number;
  floor: number;
}

/** The 48 generated tenants, in seed order (deterministic for a given `random`). */
export function demoPortfolioProfiles(random: () => number): DemoTenantProfile[] {
  const archetypes: DemoArchetype[] = [
    ...Array<DemoArchetype>(5).fill("declining"),
    "recovering",
    ...Array<DemoArchetype>(3).fill("low_adoption"),
    ...Array<DemoArchetype>(3).fill("onboarding"),
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
function trajectory(p: DemoTenantProfile, daysAgo: number, ageYears: number): number {
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

/** Features a demo tenant's people use (the `features_used` keys), most common first. */
export const DEMO_FEATURES = [
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

/** FNV-1a (32-bit) of a string: the per-tenant-and-day seed of {@link mulberry32}. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The plan limits a demo tenant's rows carry (`seats_plan`, `vehicles_plan`). */
export interface DemoPlanLimits {
  includedVehicles: number;
  includedDrivers: number;
}

/** One modelled day: the `adm_tenant_activity_metrics` row (without tenant) and the open-ticket count after it. */
export interface DemoDay {
  row: Omit<Prisma.TenantActivityMetricCreateManyInput, "tenantId">;
  ticketsOpen: number;
}

/**
 * The modelled activity of one UTC day for a profile (see the module comment for the formulas).
 * Random draws come from mulberry32 seeded with the tenant's slug and the day, so a day's figures
 * are the same whether the seed or {@link extendDemoPortfolio} writes them.
 * @param dayMs the day's UTC midnight, ms
 * @param seedDayMs the seed day's UTC midnight (the profile's `ageDays` and trajectories count from it)
 * @param ticketsOpenBefore open tickets at the end of the previous day
 */
export function modelDemoDay(
  p: DemoTenantProfile,
  dayMs: number,
  seedDayMs: number,
  ticketsOpenBefore: number,
  plan: DemoPlanLimits | null,
): DemoDay {
  const day = new Date(dayMs);
  const random = mulberry32(fnv1a(`${p.slug}:${day.toISOString().slice(0, 10)}`));
  const noise = () => Math.exp((random() + random() + random() - 1.5) * 0.16);
  const daysAgo = Math.round((seedDayMs - dayMs) / DAY_MS);
  const age = p.ageDays - daysAgo;
  const adoption = 1 / (1 + Math.exp(-(age - 30) / 9));
  const weekday = day.getUTCDay();
  const week = weekday === 6 ? 0.55 : weekday === 0 ? 0.35 : 1;
  const doy = Math.floor((dayMs - Date.UTC(day.getUTCFullYear(), 0, 1)) / DAY_MS);
  const season = 1 + 0.08 * Math.sin((2 * Math.PI * (doy - 172)) / 365);
  // After the seed day each archetype holds where it got to (healthy ones keep growing with age).
  const g = trajectory(p, Math.max(0, daysAgo), age / 365);
  const u = adoption * season * g;
  const declining =
    (p.archetype === "declining" && daysAgo < p.declineFromDays) ||
    (p.archetype === "recovering" && daysAgo < 150 && daysAgo > 60);
  const drivers = Math.round(p.vehicles * 1.2);
  const activeVehicles = Math.min(p.vehicles, Math.round(0.88 * p.vehicles * u * week * noise()));
  const activeDrivers = Math.min(drivers, Math.round(activeVehicles * 1.05));
  const logins = Math.round(0.8 * p.seats * u * (weekday === 0 || weekday === 6 ? 0.2 : 1) * noise());
  const ticketRate = (declining ? 0.35 : 0.08) * Math.max(1, p.vehicles / 40);
  const opened = random() < ticketRate ? 1 + (random() < ticketRate / 3 ? 1 : 0) : 0;
  const ticketsOpen = Math.max(0, ticketsOpenBefore + opened - (random() < (declining ? 0.15 : 0.3) ? 1 : 0));
  const csatAnswered = opened > 0 && random() < 0.5;
  const csat = declining ? 2 + Math.round(random() * 1.2) : 4 + Math.round(random());
  const npsAnswered = ((daysAgo % 182) + 182) % 182 === 30;
  const featureCount = Math.max(1, Math.round(DEMO_FEATURES.length * (0.35 + 0.55 * Math.min(1, u)) * noise()));
  const featuresUsed = Object.fromEntries(
    DEMO_FEATURES.slice(0, Math.min(DEMO_FEATURES.length, featureCount)).map((f) => [
      f,
      Math.max(1, Math.round(logins * 3 * random())),
    ]),
  );
  return {
    ticketsOpen,
    row: {
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
    },
  };
}

/** What a generated tenant keeps in `adm_tenants.metadata`. */
export interface DemoTenantMetadata {
  demoPortfolio: true;
  archetype: DemoArchetype;
  /** The profile and the seed day (YYYY-MM-DD, UTC) its trajectories count from. */
  demoModel: DemoTenantProfile & { seededOn: string };
}

/** Days between account-manager check-ins the extension logs for tenants that are looked after. */
export const DEMO_CHECK_IN_DAYS = 30;

/** How far back the extension fills at most (a demo database left off for longer restarts from here). */
const MAX_FILL_DAYS = 400;

function isDemoModel(value: unknown): value is DemoTenantMetadata["demoModel"] {
  const m = value as Partial<DemoTenantMetadata["demoModel"]> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.slug === "string" &&
    typeof m.seededOn === "string" &&
    typeof m.vehicles === "number" &&
    typeof m.seats === "number" &&
    typeof m.ageDays === "number" &&
    typeof m.declineFromDays === "number" &&
    typeof m.floor === "number" &&
    typeof m.archetype === "string"
  );
}

/** What {@link extendDemoPortfolio} wrote. */
export interface DemoPortfolioExtension {
  tenants: number;
  daysWritten: number;
  engagements: number;
}

/**
 * Keeps the demo portfolio moving: for each generated tenant (`metadata.demoModel`; the activity
 * rollup skips them because their history is modelled, not measured), writes the modelled
 * `adm_tenant_activity_metrics` rows of every complete UTC day after its latest row up to yesterday,
 * and — except for decliners, whose story is that nobody calls — logs an account manager's check-in
 * engagement every {@link DEMO_CHECK_IN_DAYS} days. Idempotent (one transaction under an advisory
 * lock; rows only for missing days), cheap when up to date; a no-op on a database without them.
 * Runs in the system scope.
 */
export async function extendDemoPortfolio(prisma: PrismaClient, now = new Date()): Promise<DemoPortfolioExtension> {
  const todayMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return withScope(
    prisma,
    { kind: "system" },
    async (db) => {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.demo.portfolio', 0))`;
      const tenants = await db.tenant.findMany({
        where: { deletedAt: null, metadata: { path: ["demoPortfolio"], equals: true } },
        select: {
          id: true,
          metadata: true,
          accountManagers: { where: { endDate: null }, select: { employee: { select: { userId: true } } }, take: 1 },
          subscriptions: {
            where: { status: { notIn: ["canceled", "incomplete_expired"] } },
            select: { plan: { select: { includedVehicles: true, includedDrivers: true } } },
            take: 1,
          },
        },
      });
      const result: DemoPortfolioExtension = { tenants: 0, daysWritten: 0, engagements: 0 };
      for (const t of tenants) {
        const model = (t.metadata as { demoModel?: unknown } | null)?.demoModel;
        if (!isDemoModel(model)) continue;
        const seedDayMs = Date.parse(`${model.seededOn}T00:00:00Z`);
        if (!Number.isFinite(seedDayMs)) continue;
        result.tenants += 1;
        const last = await db.tenantActivityMetric.findFirst({
          where: { tenantId: t.id },
          orderBy: { periodStart: "desc" },
          select: { periodStart: true, ticketsOpen: true },
        });
        const fromMs = Math.max(
          last ? last.periodStart.getTime() + DAY_MS : seedDayMs,
          seedDayMs,
          todayMs - MAX_FILL_DAYS * DAY_MS,
        );
        if (fromMs >= todayMs) continue;
        const plan = t.subscriptions[0]?.plan ?? null;
        let ticketsOpen = last?.ticketsOpen ?? 0;
        const rows: Prisma.TenantActivityMetricCreateManyInput[] = [];
        for (let dayMs = fromMs; dayMs < todayMs; dayMs += DAY_MS) {
          const modelled = modelDemoDay(model, dayMs, seedDayMs, ticketsOpen, plan);
          ticketsOpen = modelled.ticketsOpen;
          rows.push({ tenantId: t.id, ...modelled.row });
        }
        result.daysWritten += (await db.tenantActivityMetric.createMany({ data: rows, skipDuplicates: true })).count;

        if (model.archetype === "declining") continue;
        const lastEngagement = await db.crmEngagement.findFirst({
          where: { tenantId: t.id, deletedAt: null, completedAt: { not: null } },
          orderBy: { completedAt: "desc" },
          select: { completedAt: true },
        });
        let lastMs = lastEngagement?.completedAt?.getTime() ?? fromMs - DEMO_CHECK_IN_DAYS * DAY_MS;
        for (let dayMs = fromMs; dayMs < todayMs; dayMs += DAY_MS) {
          if (dayMs - (lastMs - (lastMs % DAY_MS)) < DEMO_CHECK_IN_DAYS * DAY_MS) continue;
          const at = new Date(dayMs + 15 * 3600_000);
          const random = mulberry32(fnv1a(`${model.slug}:engagement:${at.toISOString()}`));
          await db.crmEngagement.create({
            data: {
              tenantId: t.id,
              createdByUserId: t.accountManagers[0]?.employee.userId ?? null,
              type: (["call", "meeting", "email", "training", "demo"] as const)[Math.floor(random() * 5)] ?? "call",
              title: "Check-in",
              outcome: random() < 0.7 ? "positive" : "neutral",
              scheduledAt: at,
              completedAt: at,
              createdAt: at,
            },
          });
          lastMs = at.getTime();
          result.engagements += 1;
        }
      }
      return result;
    },
    { timeoutMs: 120_000 },
  );
}
