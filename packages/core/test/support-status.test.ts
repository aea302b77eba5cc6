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
  TICKET_STATUS_FLOW,
  TICKET_TRANSITIONS,
  type TicketActorSide,
  type TicketStatus,
  type Tx,
  transitionProblem,
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
});
