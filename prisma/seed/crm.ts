/**
 * Demo CRM (provider side): leads, a pipeline across every stage, contracts with their history,
 * engagements and customer-success goals for the two demo tenants. Dates are relative to the seed
 * run, so renewals, close dates and "last engagement" read sensibly whenever the demo starts.
 * Runs as the database owner, once (skipped when any lead exists).
 */
import type { PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

const DAY_MS = 86_400_000;

/** A UTC calendar date `days` from today (a @db.Date value). */
function dateIn(days: number, now: Date): Date {
  const d = new Date(now.getTime() + days * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
const at = (days: number, hour: number, now: Date) => new Date(dateIn(days, now).getTime() + hour * 3600_000);

/** Seeds the CRM; returns a summary, or null when it already ran. */
export async function seedCrm(db: PrismaClient, tenants: Tenant[]): Promise<string | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.seed.crm', 0))`;
      if ((await tx.crmLead.count()) > 0) return null;
      const now = new Date();
      const bySlug = new Map(tenants.map((t) => [t.slug, t]));
      const lonestar = bySlug.get("lone-star-transit");
      const rhone = bySlug.get("rhone-livraisons");
      if (!lonestar || !rhone) return null;
      const staff = await tx.providerEmployee.findMany({ include: { user: true } });
      const am = staff.find((e) => e.user.email === "am@fleetcore.demo") ?? null;
      const admin = staff.find((e) => e.user.email === "admin@fleetcore.demo") ?? null;

      const leads = [
        {
          companyName: "Hill Country Couriers",
          contactName: "Maya Patel",
          contactEmail: "maya@hillcountry.example",
          source: "website",
          status: "new",
          priority: "high",
          fleetSize: 35,
          countryCode: "US",
        },
        {
          companyName: "Gulf Coast Logistics",
          contactName: "Tom Becker",
          contactEmail: "tom@gulfcoast.example",
          source: "event",
          status: "contacted",
          priority: "medium",
          fleetSize: 120,
          countryCode: "US",
        },
        {
          companyName: "Alpine Fret",
          contactName: "Léa Martin",
          contactEmail: "lea@alpinefret.example",
          source: "referral",
          status: "qualified",
          priority: "high",
          fleetSize: 60,
          countryCode: "FR",
        },
        {
          companyName: "Nordic Haulage",
          contactName: "Erik Lund",
          contactEmail: "erik@nordichaul.example",
          source: "outbound",
          status: "unqualified",
          priority: "low",
          fleetSize: 8,
          countryCode: "SE",
        },
        {
          companyName: "Prairie School Buses",
          contactName: "Jo Ellis",
          contactEmail: "jo@prairiebus.example",
          source: "partner",
          status: "contacted",
          priority: "medium",
          fleetSize: 48,
          countryCode: "US",
        },
      ] as const;
      for (const [i, l] of leads.entries()) {
        await tx.crmLead.create({
          data: { ...l, ownerEmployeeId: am?.id ?? null, createdAt: at(-40 + i * 6, 10, now) },
        });
      }

      // Converted leads become opportunities (the lead records the conversion).
      const converted = [
        {
          company: "Bayou Freight",
          contact: "Nina Doucet",
          stage: "proposal_sent",
          value: 4_800_000n,
          currency: "USD",
          close: 25,
        },
        {
          company: "Lyon Express",
          contact: "Hugo Bernard",
          stage: "negotiation",
          value: 3_600_000n,
          currency: "EUR",
          close: 12,
        },
        {
          company: "Mesa Transit",
          contact: "Carlos Vega",
          stage: "won",
          value: 7_200_000n,
          currency: "USD",
          close: -20,
        },
      ] as const;
      for (const [i, c] of converted.entries()) {
        const opportunity = await tx.crmOpportunity.create({
          data: {
            name: `${c.company} — fleet tracking`,
            stage: c.stage,
            estimatedValueMinor: c.value,
            currency: c.currency,
            closeDate: dateIn(c.close, now),
            accountManagerId: am?.id ?? null,
            stageChangedAt: at(-10 - i, 9, now),
            closedAt: c.stage === "won" ? at(c.close, 16, now) : null,
            createdAt: at(-70 + i * 5, 11, now),
          },
        });
        const lead = await tx.crmLead.create({
          data: {
            companyName: c.company,
            contactName: c.contact,
            source: i === 1 ? "referral" : "website",
            status: "converted",
            priority: "high",
            ownerEmployeeId: am?.id ?? null,
            convertedOpportunityId: opportunity.id,
            convertedAt: at(-70 + i * 5, 11, now),
            createdAt: at(-90 + i * 5, 9, now),
          },
        });
        await tx.crmOpportunity.update({ where: { id: opportunity.id }, data: { leadId: lead.id } });
      }
      const pipeline = [
        {
          name: "Lone Star Transit — expansion to 80 vehicles",
          tenantId: lonestar.id,
          stage: "negotiation",
          value: 2_400_000n,
          currency: "USD",
          close: 20,
        },
        {
          name: "Rhône Livraisons — WhatsApp dispatch add-on",
          tenantId: rhone.id,
          stage: "qualified",
          value: 900_000n,
          currency: "EUR",
          close: 45,
        },
        {
          name: "Red River Ambulance",
          tenantId: null,
          stage: "prospecting",
          value: 1_500_000n,
          currency: "USD",
          close: 75,
        },
        {
          name: "Côte d'Azur Taxis",
          tenantId: null,
          stage: "prospecting",
          value: 1_200_000n,
          currency: "EUR",
          close: 100,
        },
        {
          name: "Big Bend Tours",
          tenantId: null,
          stage: "lost",
          value: 600_000n,
          currency: "USD",
          close: -35,
          lostReason: "Chose a cheaper telematics bundle",
        },
      ] as const;
      for (const [i, o] of pipeline.entries()) {
        await tx.crmOpportunity.create({
          data: {
            name: o.name,
            tenantId: o.tenantId,
            stage: o.stage,
            estimatedValueMinor: o.value,
            currency: o.currency,
            closeDate: dateIn(o.close, now),
            accountManagerId: am?.id ?? null,
            boardRank: i,
            stageChangedAt: at(-8 - i * 3, 14, now),
            closedAt: o.stage === "lost" ? at(o.close, 15, now) : null,
            lostReason: "lostReason" in o ? o.lostReason : null,
            createdAt: at(-60 + i * 7, 10, now),
          },
        });
      }

      // Contracts: Lone Star renews in ~45 days; Rhône has an expired first year and a current one.
      const contracts = [
        {
          tenantId: lonestar.id,
          planName: "Fleet Pro",
          from: -320,
          to: 45,
          value: 1_980_000n,
          currency: "USD",
          status: "active",
        },
        {
          tenantId: rhone.id,
          planName: "Fleet Starter",
          from: -560,
          to: -196,
          value: 720_000n,
          currency: "EUR",
          status: "expired",
        },
        {
          tenantId: rhone.id,
          planName: "Fleet Pro",
          from: -195,
          to: 170,
          value: 1_080_000n,
          currency: "EUR",
          status: "active",
        },
      ] as const;
      let previous: string | null = null;
      for (const c of contracts) {
        const contract: { id: string } = await tx.crmContract.create({
          data: {
            tenantId: c.tenantId,
            planName: c.planName,
            effectiveDate: dateIn(c.from, now),
            expiryDate: dateIn(c.to, now),
            annualValueMinor: c.value,
            currency: c.currency,
            terms: "12-month term, billed monthly; 30 days' notice before renewal. SLA: 99.9 % monthly uptime.",
            status: c.status,
            renewsContractId: c.tenantId === rhone.id && c.status === "active" ? previous : null,
            createdByUserId: admin?.userId ?? null,
            createdAt: at(c.from - 5, 10, now),
          },
        });
        await tx.crmContractEvent.create({
          data: {
            contractId: contract.id,
            tenantId: c.tenantId,
            kind: "created",
            toStatus: "active",
            actorUserId: admin?.userId ?? null,
            occurredAt: at(c.from - 5, 10, now),
          },
        });
        // As the service records a renewal: "renewed" on the contract being renewed.
        if (previous && c.tenantId === rhone.id && c.status === "active") {
          await tx.crmContractEvent.create({
            data: {
              contractId: previous,
              tenantId: c.tenantId,
              kind: "renewed",
              actorUserId: admin?.userId ?? null,
              details: { renewalContractId: contract.id },
              occurredAt: at(c.from - 5, 10, now),
            },
          });
        }
        if (c.status === "expired") {
          await tx.crmContractEvent.create({
            data: {
              contractId: contract.id,
              tenantId: c.tenantId,
              kind: "status_changed",
              fromStatus: "active",
              toStatus: "expired",
              details: { automatic: true },
              occurredAt: at(c.to + 1, 0, now),
            },
          });
        }
        previous = contract.id;
      }

      const engagement = (
        tenantId: string,
        e: {
          type: "meeting" | "call" | "email" | "note" | "demo" | "training";
          title: string;
          description?: string;
          outcome?: "positive" | "neutral" | "negative" | "action_required";
          day: number;
          attendees?: { name: string; email: string; role: string }[];
        },
      ) =>
        tx.crmEngagement.create({
          data: {
            tenantId,
            createdByUserId: am?.userId ?? null,
            type: e.type,
            title: e.title,
            description: e.description ?? null,
            outcome: e.day <= 0 ? (e.outcome ?? null) : null,
            scheduledAt: at(e.day, 15, now),
            completedAt: e.day <= 0 ? at(e.day, 16, now) : null,
            attendees: e.attendees ?? [],
            createdAt: at(Math.min(e.day, 0) - 2, 9, now),
          },
        });
      const dana = { name: "Dana Reyes", email: "owner@lonestar.demo", role: "Owner" };
      const claire = { name: "Claire Dubois", email: "owner@rhone.demo", role: "Gérante" };
      await engagement(lonestar.id, {
        type: "meeting",
        title: "Kick-off and rollout plan",
        outcome: "positive",
        day: -300,
        attendees: [dana],
      });
      await engagement(lonestar.id, {
        type: "training",
        title: "Dispatcher training: live map and feed",
        outcome: "positive",
        day: -280,
        attendees: [dana, { name: "Sam Ortiz", email: "dispatch@lonestar.demo", role: "Dispatcher" }],
      });
      await engagement(lonestar.id, {
        type: "call",
        title: "Quarterly business review",
        description: "Geofence alerts are noisy downtown; agreed to review speed limits.",
        outcome: "action_required",
        day: -60,
        attendees: [dana],
      });
      await engagement(lonestar.id, {
        type: "email",
        title: "Sent geofence tuning guide",
        outcome: "neutral",
        day: -55,
      });
      await engagement(lonestar.id, {
        type: "demo",
        title: "Demo of WhatsApp dispatch replies",
        outcome: "positive",
        day: -21,
        attendees: [dana],
      });
      await engagement(lonestar.id, {
        type: "meeting",
        title: "Renewal and expansion discussion",
        description: "Expansion to 80 vehicles on the table.",
        day: 7,
        attendees: [dana],
      });
      await engagement(rhone.id, {
        type: "meeting",
        title: "Réunion de lancement",
        outcome: "positive",
        day: -190,
        attendees: [claire],
      });
      await engagement(rhone.id, {
        type: "call",
        title: "Check-in on delivery rounds",
        outcome: "neutral",
        day: -75,
        attendees: [claire],
      });
      await engagement(rhone.id, {
        type: "note",
        title: "Asked about a WhatsApp add-on",
        outcome: "positive",
        day: -30,
      });

      const goal = (
        tenantId: string,
        g: {
          title: string;
          metricType: "adoption" | "nps" | "seat_count" | "custom" | "arr";
          current: string;
          target: string;
          unit: string;
          period: "monthly" | "quarterly" | "yearly";
          status: "on_track" | "at_risk" | "achieved" | "missed";
          targetDay: number;
          completedDay?: number;
        },
      ) =>
        tx.crmGoal.create({
          data: {
            tenantId,
            title: g.title,
            metricType: g.metricType,
            currentValue: g.current,
            targetValue: g.target,
            unit: g.unit,
            measurementPeriod: g.period,
            status: g.status,
            targetDate: dateIn(g.targetDay, now),
            completionDate: g.completedDay !== undefined ? dateIn(g.completedDay, now) : null,
            createdByUserId: am?.userId ?? null,
          },
        });
      await goal(lonestar.id, {
        title: "Every bus reporting live",
        metricType: "adoption",
        current: "42",
        target: "60",
        unit: "vehicles",
        period: "quarterly",
        status: "on_track",
        targetDay: 40,
      });
      await goal(lonestar.id, {
        title: "NPS of 40 or more",
        metricType: "nps",
        current: "25",
        target: "40",
        unit: "points",
        period: "yearly",
        status: "at_risk",
        targetDay: 90,
      });
      await goal(lonestar.id, {
        title: "All dispatchers trained",
        metricType: "custom",
        current: "6",
        target: "6",
        unit: "people",
        period: "quarterly",
        status: "achieved",
        targetDay: -200,
        completedDay: -210,
      });
      await goal(rhone.id, {
        title: "Drivers answering on WhatsApp",
        metricType: "adoption",
        current: "12",
        target: "30",
        unit: "drivers",
        period: "monthly",
        status: "on_track",
        targetDay: 25,
      });

      return `CRM: ${leads.length + converted.length} leads, ${converted.length + pipeline.length} opportunities, ${contracts.length} contracts, 9 engagements, 4 goals`;
    },
    { timeout: 60_000 },
  );
}
