/**
 * Demo support desk: about two months of tickets for the two demo tenants, played through the real
 * support services (packages/core/src/support) with back-dated clocks, so SLA due times, measured
 * response and resolution times, status history, CSAT requests and the auto-close rule are exactly
 * what the product computes. A deterministic generator (mulberry32) picks priorities, categories and
 * delays: agents mostly answer within the SLA, a few tickets breach it, some wait on the customer,
 * the newest are still open. NPS was asked of both tenants three weeks ago. Runs as the database
 * owner, once (skipped when any ticket exists).
 */
import {
  AuditTrail,
  addSlaMinutes,
  answerFeedback,
  assignTicket,
  changeTicketStatus,
  createTicket,
  replyAsAgent,
  replyAsCustomer,
  requestNps,
  systemActor,
  type Tx,
} from "@fleetcore/core";
import type { Db, PrismaClient } from "@fleetcore/db";
import type { Tenant } from "@fleetcore/validators";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** mulberry32: a small, well-known 32-bit PRNG (Tommy Ettinger), so every demo looks the same. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS: Record<string, ReadonlyArray<readonly [string, string]>> = {
  technical: [
    [
      "Tracker on bus {n} stopped reporting",
      "The tracker has not sent a position since this morning. The bus is in service.",
    ],
    [
      "Live map freezes on the wall display",
      "The ops-room screen stops updating after a few hours until we reload it.",
    ],
    ["Geofence alerts arrive twice", "Each time a bus leaves the depot we get two exit alerts."],
    ["Positions jump across the river", "Some positions near the bridge land on the wrong bank, then jump back."],
  ],
  billing: [
    ["Invoice shows more active vehicles than we run", "Our invoice counts 64 active vehicles; we ran 58 last month."],
    ["Change the billing email", "Please send invoices to accounts@ instead of the owner's address."],
  ],
  training: [
    ["Training for new dispatchers", "Two new dispatchers start next week. Is there a short session?"],
    ["How do replay and trips work?", "We want to show a customer yesterday's route of one vehicle."],
  ],
  feature_request: [
    ["Export the feed as CSV", "Our safety officer wants the month's overspeed events in a spreadsheet."],
    ["Speed limits per time of day", "School zones need a lower limit only between 7 and 9."],
  ],
  commercial: [
    ["Quote for 20 more vehicles", "We are adding a depot and need a quote for 20 extra vehicles."],
    ["Contract renewal terms", "Our contract ends soon; can we move to yearly billing?"],
  ],
};
type Category = "technical" | "billing" | "training" | "feature_request" | "commercial";
const CATEGORIES: Category[] = [
  "technical",
  "technical",
  "technical",
  "billing",
  "training",
  "feature_request",
  "commercial",
];
const PRIORITIES = ["low", "medium", "medium", "high", "high", "urgent"] as const;
const AGENT_REPLIES = [
  "Thanks for the report — I am looking into it now.",
  "I have reproduced it on our side and am working on a fix.",
  "Could you tell us the vehicle name and roughly when it started?",
  "This is fixed now; it was a configuration issue on our side.",
];
const CUSTOMER_REPLIES = [
  "It happened on bus 12 around 06:00.",
  "Yes, that's right — thank you.",
  "Here are the details you asked for.",
];
const NOTES = [
  "Same modem firmware issue as last month.",
  "Checked the ingest logs: no fixes received.",
  "Escalated to engineering.",
];

/**
 * The seed plays past history, not actions anyone took today: like the other seed files it writes
 * no audit rows (an audit log full of "system" entries stamped at seed time would mislead).
 */
class NoAudit extends AuditTrail {
  override async record(): Promise<void> {}
}

/** Seeds the support desk; returns a summary, or null when it already ran. */
export async function seedSupport(db: PrismaClient, tenants: Tenant[]): Promise<string | null> {
  return db.$transaction(
    async (tdb) => {
      await tdb.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended('fleetcore.seed.support', 0))`;
      if ((await tdb.supTicket.count()) > 0) return null;
      const dbx = tdb as unknown as Db;
      const tx: Tx = { db: dbx, audit: new NoAudit(dbx, systemActor()) };
      const bySlug = new Map(tenants.map((t) => [t.slug, t]));
      const lonestar = bySlug.get("lone-star-transit");
      const rhone = bySlug.get("rhone-livraisons");
      if (!lonestar || !rhone) return null;
      const users = await tdb.user.findMany({ include: { providerEmployee: true } });
      const byEmail = (email: string) => users.find((u) => u.email === email);
      const staff = ["support@fleetcore.demo", "admin@fleetcore.demo"]
        .map(byEmail)
        .filter((u): u is NonNullable<typeof u> => !!u?.providerEmployee)
        .map((u) => ({ userId: u.id, employeeId: u.providerEmployee?.id ?? "" }));
      const requesters = {
        [lonestar.id]: ["owner@lonestar.demo", "admin@lonestar.demo", "dispatch@lonestar.demo"].map(byEmail),
        [rhone.id]: ["owner@rhone.demo"].map(byEmail),
      };
      if (staff.length === 0 || requesters[lonestar.id]?.some((u) => !u)) return null;

      const random = mulberry32(20261121);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const cal = await tdb.supBusinessCalendar.findUniqueOrThrow({ where: { id: 1 } });
      const calendar = {
        timezone: cal.timezone,
        workdays: cal.workdays,
        dayStart: cal.dayStart,
        dayEnd: cal.dayEnd,
        holidays: cal.holidays,
      };
      const policies = new Map((await tdb.supSlaPolicy.findMany()).map((p) => [p.priority, p]));
      const now = Date.now();
      let tickets = 0;
      let ratings = 0;
      for (let i = 0; i < 26; i++) {
        const tenant = i % 3 === 2 ? rhone : lonestar;
        const requester = pick(requesters[tenant.id] ?? []);
        if (!requester) continue;
        const daysAgo = 60 - i * 2.2 - random();
        // Opened during the working day (09:00–17:00 in the calendar's zone is close enough for UTC).
        const day = new Date(now - daysAgo * DAY_MS);
        const opened = new Date(
          Date.UTC(
            day.getUTCFullYear(),
            day.getUTCMonth(),
            day.getUTCDate(),
            9 + Math.floor(random() * 8),
            Math.floor(random() * 60),
          ),
        );
        if (opened.getTime() > now - 20 * MINUTE_MS) continue;
        const category = pick(CATEGORIES);
        const [subject, description] = pick(TOPICS[category] ?? []);
        const priority = pick(PRIORITIES);
        const { ticket } = await createTicket(
          tx,
          tenant.id,
          requester.id,
          { subject: subject.replace("{n}", String(10 + i)), category, priority, description, fileIds: [] },
          opened,
        );
        tickets += 1;
        const agent = pick(staff);
        const at = (minutesAfter: Date, businessMinutes: number, hoursOnly: boolean) =>
          addSlaMinutes(minutesAfter, businessMinutes, hoursOnly, calendar);
        const policy = policies.get(priority);
        if (!policy) continue;
        const upTo = (d: Date) => d.getTime() < now;
        await assignTicket(
          tx,
          agent,
          { ticketId: ticket.id, employeeId: agent.employeeId },
          new Date(opened.getTime() + 4 * MINUTE_MS),
        );
        // First reply: usually well inside the target, one in five late.
        const late = random() < 0.2;
        const frMinutes = Math.max(
          5,
          Math.round(policy.firstResponseMinutes * (late ? 1.2 + random() : 0.1 + random() * 0.7)),
        );
        const firstReply = at(opened, frMinutes, policy.businessHoursOnly);
        if (!upTo(firstReply)) continue;
        if (random() < 0.35) {
          await replyAsAgent(
            tx,
            agent,
            { ticketId: ticket.id, message: pick(NOTES), internal: true },
            new Date(firstReply.getTime() - 2 * MINUTE_MS),
          );
        }
        const askBack = random() < 0.3;
        await replyAsAgent(
          tx,
          agent,
          {
            ticketId: ticket.id,
            message: askBack ? (AGENT_REPLIES[2] ?? "") : pick(AGENT_REPLIES),
            ...(askBack ? { status: "awaiting_customer" as const } : {}),
          },
          firstReply,
        );
        let last = firstReply;
        if (askBack) {
          const answer = new Date(last.getTime() + (2 + random() * 20) * 3600_000);
          if (!upTo(answer)) continue;
          await replyAsCustomer(
            tx,
            tenant.id,
            requester.id,
            { ticketId: ticket.id, message: pick(CUSTOMER_REPLIES) },
            answer,
          );
          last = answer;
        }
        const resolveAt = at(
          last,
          Math.round(policy.resolutionMinutes * (random() < 0.15 ? 1.3 : 0.1 + random() * 0.6)),
          policy.businessHoursOnly,
        );
        if (!upTo(resolveAt)) continue;
        await replyAsAgent(
          tx,
          agent,
          { ticketId: ticket.id, message: AGENT_REPLIES[3] ?? "", status: "resolved" },
          resolveAt,
        );
        // Most requesters rate the help they got (the CSAT request exists since the resolution).
        const request = await tdb.supCustomerFeedback.findFirst({ where: { ticketId: ticket.id, kind: "csat" } });
        const ratedAt = new Date(resolveAt.getTime() + (1 + random() * 30) * 3600_000);
        if (request && random() < 0.7 && upTo(ratedAt)) {
          const rating = pick([5, 5, 5, 4, 4, 4, 3, 2]);
          await answerFeedback(
            tx,
            tenant.id,
            requester.id,
            { feedbackId: request.id, rating, ...(rating <= 3 ? { comment: "Took longer than we hoped." } : {}) },
            ratedAt,
          );
          ratings += 1;
        }
        const closeAt = new Date(resolveAt.getTime() + 7 * DAY_MS);
        if (upTo(closeAt)) {
          await changeTicketStatus(
            tx,
            agent,
            { ticketId: ticket.id, status: "closed", reason: "closed automatically 7 days after resolution" },
            closeAt,
          );
        }
      }

      // The last two days: tickets still being worked, so the queue has something to do.
      const fresh: {
        hoursAgo: number;
        tenant: Tenant;
        category: Category;
        priority: "low" | "medium" | "high" | "urgent";
        subject: string;
        description: string;
        step: "open" | "in_progress" | "awaiting_customer";
      }[] = [
        {
          hoursAgo: 1.5,
          tenant: lonestar,
          category: "technical",
          priority: "urgent",
          subject: "Live map shows no vehicles since 8:10",
          description: "The whole fleet disappeared from the live map and the wall display.",
          step: "open",
        },
        {
          hoursAgo: 5,
          tenant: lonestar,
          category: "training",
          priority: "medium",
          subject: "Geofence speed limits for school zones",
          description: "How do we set a lower limit around the two schools on route 7?",
          step: "in_progress",
        },
        {
          hoursAgo: 26,
          tenant: rhone,
          category: "billing",
          priority: "high",
          subject: "Facture de novembre : véhicules en double",
          description: "Two vans appear twice on the November invoice.",
          step: "awaiting_customer",
        },
        {
          hoursAgo: 50,
          tenant: lonestar,
          category: "feature_request",
          priority: "low",
          subject: "Driver names on the wall ticker",
          description: "Could the ticker show the driver's name next to the vehicle?",
          step: "in_progress",
        },
      ];
      for (const f of fresh) {
        const requester = (requesters[f.tenant.id] ?? [])[0];
        if (!requester) continue;
        const opened = new Date(now - f.hoursAgo * 3600_000);
        const { ticket } = await createTicket(
          tx,
          f.tenant.id,
          requester.id,
          { subject: f.subject, category: f.category, priority: f.priority, description: f.description, fileIds: [] },
          opened,
        );
        tickets += 1;
        if (f.step === "open") continue;
        const agent = staff[0];
        if (!agent) continue;
        const later = (minutes: number) => new Date(opened.getTime() + minutes * MINUTE_MS);
        await assignTicket(tx, agent, { ticketId: ticket.id, employeeId: agent.employeeId }, later(10));
        await replyAsAgent(tx, agent, { ticketId: ticket.id, message: pick(NOTES), internal: true }, later(20));
        await replyAsAgent(
          tx,
          agent,
          {
            ticketId: ticket.id,
            message: f.step === "awaiting_customer" ? (AGENT_REPLIES[2] ?? "") : (AGENT_REPLIES[1] ?? ""),
            ...(f.step === "awaiting_customer" ? { status: "awaiting_customer" as const } : {}),
          },
          later(45),
        );
      }

      // Prisma stamps updated_at with the real clock on every update: put back each ticket's last activity.
      await tdb.$executeRaw`
        UPDATE sup_tickets t
           SET updated_at = greatest(t.created_at,
                 (SELECT max(m.created_at) FROM sup_ticket_messages m WHERE m.ticket_id = t.id),
                 (SELECT max(c.created_at) FROM sup_ticket_status_changes c WHERE c.ticket_id = t.id))`;

      // NPS, asked three weeks ago of both tenants' owners and admins; most answered within days.
      const asked = new Date(now - 21 * DAY_MS);
      const staffUser = staff[0]?.userId ?? "";
      const scores: Record<string, number> = {
        "owner@lonestar.demo": 8,
        "admin@lonestar.demo": 9,
        "owner@rhone.demo": 6,
      };
      for (const tenant of [lonestar, rhone]) {
        await requestNps(tx, staffUser, { tenantId: tenant.id, roles: ["owner", "admin"] }, asked);
        const pending = await tdb.supCustomerFeedback.findMany({
          where: { tenantId: tenant.id, kind: "nps", rating: null },
        });
        for (const [k, p] of pending.entries()) {
          const email = users.find((u) => u.id === p.recipientUserId)?.email ?? "";
          const score = scores[email];
          if (score === undefined) continue;
          await answerFeedback(
            tx,
            tenant.id,
            p.recipientUserId,
            { feedbackId: p.id, rating: score },
            new Date(asked.getTime() + (k + 1) * DAY_MS),
          );
        }
      }
      return `support: ${tickets} tickets with their history, ${ratings} CSAT ratings, NPS from both tenants`;
    },
    { timeout: 120_000 },
  );
}
