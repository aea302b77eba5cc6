/**
 * The ticket status flow (core/support/ticketStatus.ts): every move the table lacks is refused with a
 * reason naming both states, every side that may not make a move is refused, and every legal agent
 * move, run against the real database, writes its sup_ticket_status_changes row with the actor and
 * keeps resolvedAt/closedAt and the SLA pause in step. The auto-close job closes old resolved tickets.
 */
import { type Db, disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTO_CLOSE_RESOLVED_AFTER_DAYS,
  AuditTrail,
  allowedTransitions,
  assertTransition,
  changeTicketStatus,
  closeResolvedTickets,
  createTicket,
  DomainError,
  replyAsCustomer,
  TICKET_STATUS_FLOW,
  TICKET_TRANSITIONS,
  type TicketActorSide,
  type TicketStatus,
  type Tx,
  transitionProblem,
  updateTicketFields,
} from "../src/index";

afterAll(() => disconnectAll());

const SIDES: TicketActorSide[] = ["agent", "requester", "system"];

describe("transition table", () => {
  it("rejects every move the flow lacks, with a reason naming both states", () => {
    let illegal = 0;
    for (const from of TICKET_STATUS_FLOW) {
      for (const to of TICKET_STATUS_FLOW) {
        if (TICKET_TRANSITIONS[from][to]) continue;
        for (const side of SIDES) {
          const reason = transitionProblem(from, to, side);
          expect(reason, `${from} → ${to}`).not.toBeNull();
          if (from !== to) expect(reason).toContain(`from ${from} to ${to}`);
          expect(() => assertTransition(from, to, side)).toThrow(DomainError);
          illegal += 1;
        }
      }
    }
    // 25 pairs, 10 of them moves of the flow; the rest for each of the three sides.
    expect(illegal).toBe((25 - 10) * 3);
    expect(transitionProblem("closed", "open", "requester")).toMatch(/closed tickets are final/);
    expect(transitionProblem("open", "closed", "agent")).toMatch(/only resolved tickets can be closed/);
  });

  it("rejects a legal move made by the wrong side (FORBIDDEN-type error) and allows the right one", () => {
    for (const from of TICKET_STATUS_FLOW) {
      for (const [to, sides] of Object.entries(TICKET_TRANSITIONS[from]) as [TicketStatus, TicketActorSide[]][]) {
        for (const side of SIDES) {
          if (sides.includes(side)) {
            expect(transitionProblem(from, to, side)).toBeNull();
          } else {
            const err = (() => {
              try {
                assertTransition(from, to, side);
              } catch (e) {
                return e as DomainError;
              }
              throw new Error(`${side} ${from} → ${to} was allowed`);
            })();
            expect(err.code).toBe("forbidden");
            expect(err.message).toContain(`from ${from} to ${to}`);
          }
        }
      }
    }
    expect(allowedTransitions("open", "requester")).toEqual(["resolved"]);
    expect(allowedTransitions("resolved", "requester")).toEqual(["open"]);
    expect(allowedTransitions("awaiting_customer", "agent")).toEqual(["in_progress", "resolved"]);
    expect(allowedTransitions("closed", "agent")).toEqual([]);
  });
});

describe("status moves in the database", () => {
  const unique = Math.random().toString(36).slice(2, 8);
  let tenantId: string;
  let requesterId: string;
  let agent: { userId: string; employeeId: string };

  beforeAll(async () => {
    const db = testOwnerPrisma();
    const tenant = await db.tenant.create({
      data: { name: `Status ${unique}`, slug: `status-${unique}`, countryCode: "FR", defaultCurrency: "EUR" },
    });
    tenantId = tenant.id;
    requesterId = (await db.user.create({ data: { email: `req.${unique}@example.com`, fullName: "Req" } })).id;
    await db.member.create({ data: { tenantId, userId: requesterId, status: "active" } });
    const agentUser = await db.user.create({ data: { email: `agent.${unique}@example.com`, fullName: "Agent" } });
    const employee = await db.providerEmployee.create({ data: { userId: agentUser.id, role: "support_agent" } });
    agent = { userId: agentUser.id, employeeId: employee.id };
  });

  const asProvider = <T>(fn: (tx: Tx & { db: Db }) => Promise<T>) =>
    withScope(testPrisma(), { kind: "provider", userId: agent.userId }, (db) =>
      fn({
        db,
        audit: new AuditTrail(db, {
          type: "provider",
          userId: agent.userId,
          email: null,
          ipAddress: null,
          userAgent: null,
        }),
      }),
    );

  const newTicket = () =>
    withScope(testPrisma(), { kind: "tenant", tenantId, userId: requesterId }, async (db) => {
      const tx = {
        db,
        audit: new AuditTrail(db, { type: "user", userId: requesterId, email: null, ipAddress: null, userAgent: null }),
      };
      const { ticket } = await createTicket(tx, tenantId, requesterId, {
        subject: "Tracker offline",
        category: "technical",
        priority: "medium",
        description: "Bus 12 has not reported since this morning.",
      });
      return ticket.id;
    });

  /** Agent moves that reach each status from open. */
  const PATH: Record<TicketStatus, TicketStatus[]> = {
    open: [],
    in_progress: ["in_progress"],
    awaiting_customer: ["awaiting_customer"],
    resolved: ["resolved"],
    closed: ["resolved", "closed"],
  };

  it("writes one status change row, with the actor, for every legal agent move", async () => {
    for (const from of TICKET_STATUS_FLOW) {
      for (const to of allowedTransitions(from, "agent")) {
        const ticketId = await newTicket();
        for (const step of PATH[from]) {
          await asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: step }));
        }
        const before = new Date();
        const { result } = await asProvider((tx) =>
          changeTicketStatus(tx, agent, { ticketId, status: to, reason: `test ${from}→${to}` }),
        );
        expect(result.status).toBe(to);
        const rows = await testOwnerPrisma().supTicketStatusChange.findMany({
          where: { ticketId },
          orderBy: { createdAt: "asc" },
        });
        expect(rows.map((r) => r.toStatus)).toEqual(["open", ...PATH[from], to]);
        const last = rows.at(-1);
        expect(last).toMatchObject({
          fromStatus: from,
          toStatus: to,
          changedByUserId: agent.userId,
          reason: `test ${from}→${to}`,
        });
        expect(last?.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 5);
        const t = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
        expect(t.status).toBe(to);
        if (to === "resolved") expect(t.resolvedAt).not.toBeNull();
        if (to === "closed") expect(t.closedAt).not.toBeNull();
        if (from === "resolved" && to === "open") expect(t.resolvedAt).toBeNull();
        expect(t.slaPausedAt !== null).toBe(["awaiting_customer", "resolved", "closed"].includes(to));
      }
    }
  });

  it("refuses illegal moves through the service and writes nothing", async () => {
    const ticketId = await newTicket();
    await asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "resolved" }));
    await asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "closed" }));
    await expect(asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "open" }))).rejects.toThrow(
      /cannot move from closed to open: closed tickets are final/,
    );
    const rows = await testOwnerPrisma().supTicketStatusChange.count({ where: { ticketId } });
    expect(rows).toBe(3);
  });

  it(`auto-closes tickets resolved ${AUTO_CLOSE_RESOLVED_AFTER_DAYS} days ago, as the platform`, async () => {
    const old = await newTicket();
    const recent = await newTicket();
    for (const id of [old, recent])
      await asProvider((tx) => changeTicketStatus(tx, agent, { ticketId: id, status: "resolved" }));
    const longAgo = new Date(Date.now() - (AUTO_CLOSE_RESOLVED_AFTER_DAYS + 1) * 86_400_000);
    await testOwnerPrisma().supTicket.update({ where: { id: old }, data: { resolvedAt: longAgo } });
    const { events } = await closeResolvedTickets(testPrisma(), new Date());
    expect(events.map((e) => e.ticketId)).toContain(old);
    expect(events.map((e) => e.ticketId)).not.toContain(recent);
    const closed = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: old } });
    expect(closed).toMatchObject({ status: "closed" });
    const change = await testOwnerPrisma().supTicketStatusChange.findFirstOrThrow({
      where: { ticketId: old, toStatus: "closed" },
    });
    expect(change).toMatchObject({ fromStatus: "resolved", changedByUserId: null });
    expect(change.reason).toMatch(/closed automatically/);
    const audit = await testOwnerPrisma().auditLog.findFirst({
      where: { entityId: old, action: "support_ticket.status_changed", actorType: "system" },
    });
    expect(audit).not.toBeNull();
    expect((await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: recent } })).status).toBe("resolved");
  });

  it("serialises concurrent status changes of one ticket: the history's fromStatus chain stays unbroken", async () => {
    for (let round = 0; round < 4; round++) {
      const ticketId = await newTicket();
      await asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "in_progress" }));
      // Both moves are legal from in_progress; whichever runs second must see the first one's status.
      const outcomes = await Promise.allSettled([
        asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "awaiting_customer" })),
        asProvider((tx) => changeTicketStatus(tx, agent, { ticketId, status: "resolved" })),
      ]);
      const applied = outcomes.filter((o) => o.status === "fulfilled").length;
      expect(applied).toBeGreaterThanOrEqual(1);
      for (const o of outcomes) {
        if (o.status === "rejected") expect(String(o.reason)).toMatch(/cannot move from resolved to awaiting_customer/);
      }
      const rows = await testOwnerPrisma().supTicketStatusChange.findMany({
        where: { ticketId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      expect(rows).toHaveLength(2 + applied);
      rows.forEach((r, i) => {
        expect(r.fromStatus, `change ${i}`).toBe(i === 0 ? null : rows[i - 1]?.toStatus);
      });
      const t = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
      expect(t.status).toBe(rows.at(-1)?.toStatus);
    }
  });
});

describe("SLA bookkeeping on a fixed calendar (Europe/Paris, Mon–Fri 09:00–18:00)", () => {
  const unique = Math.random().toString(36).slice(2, 8);
  class Rollback extends Error {}

  /**
   * Runs `fn` in one provider-scope transaction with the calendar and the medium/high policies set
   * for this test, then rolls everything back, so no other test sees these settings.
   */
  async function withFixedSettings(
    fn: (
      tx: Tx & { db: Db },
      ids: { tenantId: string; requesterId: string; agent: { userId: string; employeeId: string } },
    ) => Promise<void>,
  ) {
    const owner = testOwnerPrisma();
    const tenant = await owner.tenant.create({
      data: { name: `Sla ${unique}`, slug: `sla-${unique}`, countryCode: "FR", defaultCurrency: "EUR" },
    });
    const requesterId = (await owner.user.create({ data: { email: `sla.req.${unique}@example.com`, fullName: "Req" } }))
      .id;
    await owner.member.create({ data: { tenantId: tenant.id, userId: requesterId, status: "active" } });
    const agentUser = await owner.user.create({
      data: { email: `sla.agent.${unique}@example.com`, fullName: "Agent" },
    });
    const employee = await owner.providerEmployee.create({ data: { userId: agentUser.id, role: "support_agent" } });
    const agent = { userId: agentUser.id, employeeId: employee.id };
    await expect(
      withScope(
        testPrisma(),
        { kind: "provider", userId: agent.userId },
        async (db) => {
          await db.supBusinessCalendar.update({
            where: { id: 1 },
            data: {
              timezone: "Europe/Paris",
              workdays: [1, 2, 3, 4, 5],
              dayStart: "09:00",
              dayEnd: "18:00",
              holidays: [],
            },
          });
          await db.supSlaPolicy.update({
            where: { priority: "medium" },
            data: { firstResponseMinutes: 480, resolutionMinutes: 2880, businessHoursOnly: true },
          });
          await db.supSlaPolicy.update({
            where: { priority: "high" },
            data: { firstResponseMinutes: 240, resolutionMinutes: 1440, businessHoursOnly: true },
          });
          const audit = new AuditTrail(db, {
            type: "provider",
            userId: agent.userId,
            email: null,
            ipAddress: null,
            userAgent: null,
          });
          await fn({ db, audit }, { tenantId: tenant.id, requesterId, agent });
          throw new Rollback("undo the settings");
        },
        { timeoutMs: 30_000 },
      ),
    ).rejects.toBeInstanceOf(Rollback);
  }

  it("sets, pauses, resumes and recomputes due times to the literal business-hour instants", async () => {
    let checked = false;
    await withFixedSettings(async (tx, { tenantId, requesterId, agent }) => {
      const row = (id: string) => tx.db.supTicket.findUniqueOrThrow({ where: { id } });
      // Monday 2 March 2026, 09:00 in Paris (UTC+1): medium policy, 480 and 2880 business minutes.
      const { ticket } = await createTicket(
        tx,
        tenantId,
        requesterId,
        { subject: "Tracker offline", category: "technical", priority: "medium", description: "Bus 12 is silent." },
        new Date("2026-03-02T08:00:00Z"),
      );
      // 480 min = Monday 17:00; 2880 min = five 9-hour days (to Friday 18:00) + 3 h = next Monday 12:00.
      expect(ticket.firstResponseDueAt?.toISOString()).toBe("2026-03-02T16:00:00.000Z");
      expect(ticket.resolutionDueAt?.toISOString()).toBe("2026-03-09T11:00:00.000Z");

      // Awaiting the customer from 10:00: the resolution clock stops.
      await changeTicketStatus(
        tx,
        agent,
        { ticketId: ticket.id, status: "awaiting_customer" },
        new Date("2026-03-02T09:00:00Z"),
      );
      expect((await row(ticket.id)).slaPausedAt?.toISOString()).toBe("2026-03-02T09:00:00.000Z");

      // The customer answers at 14:00: 4 business hours paused push the resolution due time to Monday 16:00.
      const reply = await replyAsCustomer(
        tx,
        tenantId,
        requesterId,
        { ticketId: ticket.id, message: "Still silent." },
        new Date("2026-03-02T13:00:00Z"),
      );
      expect(reply.result.status).toBe("in_progress");
      const resumed = await row(ticket.id);
      expect(resumed.slaPausedAt).toBeNull();
      expect(resumed.firstResponseDueAt?.toISOString()).toBe("2026-03-02T16:00:00.000Z");
      expect(resumed.resolutionDueAt?.toISOString()).toBe("2026-03-09T15:00:00.000Z");

      // At 15:00 the agent raises it to high (240 / 1440 business minutes), from the creation time,
      // keeping the 240 paused minutes: first response Monday 13:00; resolution 1680 min = Thursday 10:00.
      await updateTicketFields(tx, { ticketId: ticket.id, priority: "high" }, new Date("2026-03-02T14:00:00Z"));
      const raised = await row(ticket.id);
      expect(raised.priority).toBe("high");
      expect(raised.firstResponseDueAt?.toISOString()).toBe("2026-03-02T12:00:00.000Z");
      expect(raised.resolutionDueAt?.toISOString()).toBe("2026-03-05T09:00:00.000Z");
      checked = true;
    });
    expect(checked).toBe(true);
    // Rolled back: the shared calendar is not left in Paris time by this test.
    expect((await testOwnerPrisma().supBusinessCalendar.findUnique({ where: { id: 1 } }))?.timezone).not.toBe(
      "Europe/Paris",
    );
  });
});
