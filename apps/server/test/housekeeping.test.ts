/**
 * The housekeeping timer's pass (apps/server/src/housekeeping.ts) against the real database: a ticket
 * resolved more than 7 days ago is closed (status change row, `ticket:updated` emitted), one resolved
 * yesterday is left alone; a contract past its expiry date is expired with a history row; a second
 * pass changes nothing.
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import type { TicketUpdatedEvent } from "@fleetcore/realtime";
import { afterAll, describe, expect, it } from "vitest";
import { runHousekeeping } from "../src/housekeeping";

afterAll(() => disconnectAll());

const DAY_MS = 86_400_000;

describe("housekeeping", () => {
  it("closes week-old resolved tickets and expires lapsed contracts, once", async () => {
    const owner = testOwnerPrisma();
    const tag = Math.random().toString(36).slice(2, 8);
    const tenant = await owner.tenant.create({
      data: { name: `Keep ${tag}`, slug: `keep-${tag}`, countryCode: "US", defaultCurrency: "USD" },
    });
    const user = await owner.user.create({ data: { email: `keep-${tag}@example.test` } });
    const now = new Date();
    const ticket = (resolvedDaysAgo: number) =>
      owner.supTicket.create({
        data: {
          tenantId: tenant.id,
          submittedByUserId: user.id,
          subject: `resolved ${resolvedDaysAgo} days ago`,
          description: "d",
          category: "technical",
          priority: "low",
          status: "resolved",
          resolvedAt: new Date(now.getTime() - resolvedDaysAgo * DAY_MS),
          slaPausedAt: new Date(now.getTime() - resolvedDaysAgo * DAY_MS),
          createdAt: new Date(now.getTime() - (resolvedDaysAgo + 1) * DAY_MS),
        },
      });
    const old = await ticket(8);
    const recent = await ticket(1);
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const lapsed = await owner.crmContract.create({
      data: {
        tenantId: tenant.id,
        planName: "Fleet Pro",
        effectiveDate: new Date(today.getTime() - 365 * DAY_MS),
        expiryDate: new Date(today.getTime() - DAY_MS),
        status: "active",
      },
    });
    const running = await owner.crmContract.create({
      data: {
        tenantId: tenant.id,
        planName: "Fleet Pro",
        effectiveDate: today,
        expiryDate: new Date(today.getTime() + 364 * DAY_MS),
        status: "active",
      },
    });

    const events: TicketUpdatedEvent[] = [];
    const log = { info() {}, error() {} };
    const first = await runHousekeeping(testPrisma(), (e) => events.push(e), log, now);
    expect(first.ticketsClosed).toBeGreaterThanOrEqual(1);
    expect(first.contractsExpired).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.ticketId === old.id)).toEqual([
      expect.objectContaining({ tenantId: tenant.id, change: "status", status: "closed" }),
    ]);
    expect((await owner.supTicket.findUniqueOrThrow({ where: { id: old.id } })).status).toBe("closed");
    expect((await owner.supTicket.findUniqueOrThrow({ where: { id: recent.id } })).status).toBe("resolved");
    expect(await owner.supTicketStatusChange.count({ where: { ticketId: old.id, toStatus: "closed" } })).toBe(1);
    expect((await owner.crmContract.findUniqueOrThrow({ where: { id: lapsed.id } })).status).toBe("expired");
    expect((await owner.crmContract.findUniqueOrThrow({ where: { id: running.id } })).status).toBe("active");
    expect(await owner.crmContractEvent.count({ where: { contractId: lapsed.id, toStatus: "expired" } })).toBe(1);

    const second = await runHousekeeping(testPrisma(), (e) => events.push(e), log, now);
    expect(second).toEqual({
      ticketsClosed: 0,
      contractsExpired: 0,
      goals: { measured: 0, achieved: 0, missed: 0 },
      npsRequested: 0,
    });
    expect(await owner.crmContractEvent.count({ where: { contractId: lapsed.id } })).toBe(1);
  });
});
