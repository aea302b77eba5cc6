/**
 * The support desk through the real API against the real database: a ticket's whole life (opened
 * with an attachment, queued, assigned, noted internally, answered, awaiting the customer, woken by
 * the customer's reply, resolved, rated, closed), the access rules (internal notes invisible to
 * tenants through the API and under row-level security; other tenants' tickets NOT_FOUND; viewers and
 * analysts read-only; the queue staff-only), SLA due times from the configured policy, notifications
 * and live events for the right people, audit rows, NPS, and the settings.
 */

import { LoginThrottle, login, OutboxEmailTransport, storeUpload, validateSessionToken } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import type { TicketUpdatedEvent } from "@fleetcore/realtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller, createContextInner } from "../src/index";
import { auditRows, createUser, createWorld, PASSWORD, trpcCode, trpcError, type World } from "./fixtures";

afterAll(() => disconnectAll());

/** A signed-in caller that also records what it emits: tenant-room publishes and room emissions. */
async function session(email: string) {
  const signed = await login(
    testPrisma(),
    { email, password: PASSWORD },
    { ipAddress: "203.0.113.9" },
    new LoginThrottle(),
  );
  return callerFor(signed.token);
}

/** A caller for the session behind `token`, as it stands now (re-read after a tenant switch). */
async function callerFor(token: string) {
  const validated = await validateSessionToken(testPrisma(), token);
  const tenantEvents: { tenantId: string; event: string; payload: TicketUpdatedEvent }[] = [];
  const roomEvents: { room: string; event: string; payload: unknown }[] = [];
  const api = createCaller(
    createContextInner({
      prisma: testPrisma(),
      session: validated?.session ?? null,
      publish: (tenantId, event, ...args) => {
        tenantEvents.push({ tenantId, event, payload: args[0] as TicketUpdatedEvent });
      },
      services: {
        email: new OutboxEmailTransport(),
        publicUrl: "https://fleet.test",
        rooms: (room, event, ...args) => {
          roomEvents.push({ room, event, payload: args[0] });
        },
      },
      meta: { ipAddress: "203.0.113.9", userAgent: "vitest" },
    }),
  );
  return { api, tenantEvents, roomEvents, token, userId: validated?.session.userId ?? "" };
}
type Session = Awaited<ReturnType<typeof session>>;

/** Stores an upload as `userId` would through POST /api/files (tenant scope, or provider scope). */
function upload(opts: { userId: string; tenantId: string; name: string; bytes: Uint8Array; asProvider?: boolean }) {
  const scope = opts.asProvider
    ? ({ kind: "provider", userId: opts.userId } as const)
    : ({ kind: "tenant", tenantId: opts.tenantId, userId: opts.userId } as const);
  return withScope(testPrisma(), scope, (db) =>
    storeUpload(db, {
      tenantId: opts.tenantId,
      uploadedByUserId: opts.userId,
      fileName: opts.name,
      bytes: opts.bytes,
      providerOnly: opts.asProvider ?? false,
    }),
  );
}

/** A minimal valid PDF. */
const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const LOG = new TextEncoder().encode("2026-11-21 09:00:01 tracker 4412 lost GPS fix\n");

const notificationsOf = (userId: string, kind?: string) =>
  testOwnerPrisma().notification.findMany({
    where: { userId, ...(kind ? { kind } : {}) },
    orderBy: { createdAt: "asc" },
  });

let world: World;
let owner: Session;
let dispatcher: Session;
let viewer: Session;
let ownerB: Session;
let agent: Session;
let admin: Session;
let analyst: Session;
let agentEmployeeId: string;

beforeAll(async () => {
  world = await createWorld();
  const agentUser = await createUser(`support.${world.tag}@example.com`, undefined, "support_agent");
  owner = await session(world.users.ownerA.email);
  dispatcher = await session(world.users.dispatcherA.email);
  viewer = await session(world.users.viewerA.email);
  ownerB = await session(world.users.ownerB.email);
  agent = await session(agentUser.email);
  admin = await session(world.users.providerAdmin.email);
  analyst = await session(world.users.providerAnalyst.email);
  agentEmployeeId = (await testOwnerPrisma().providerEmployee.findUniqueOrThrow({ where: { userId: agentUser.id } }))
    .id;
});

describe("a ticket's life", () => {
  it("goes from creation with an attachment to a rated, closed ticket", async () => {
    const tenantId = world.a.tenant.id;
    const settings = await admin.api.supportSettings.get();
    // The default urgent policy counts around the clock, so its due times are plain wall-clock sums.
    expect(settings.policies.find((p) => p.priority === "urgent")).toMatchObject({
      firstResponseMinutes: 60,
      resolutionMinutes: 480,
      businessHoursOnly: false,
    });

    // 1. The owner uploads a PDF and opens an urgent ticket with it.
    const file = await upload({ userId: owner.userId, tenantId, name: "invoice-march.pdf", bytes: PDF });
    expect(file.contentType).toBe("application/pdf");
    const created = await owner.api.ticket.create({
      subject: `Invoice shows two buses twice ${world.tag}`,
      category: "billing",
      priority: "urgent",
      description: "Our March invoice lists Bus 12 and Bus 14 twice.",
      fileIds: [file.id],
    });
    expect(created).toMatchObject({
      status: "open",
      priority: "urgent",
      tenantId,
      assignee: null,
      firstResponseAt: null,
    });
    expect(created.requester).toEqual({ userId: owner.userId, name: world.users.ownerA.email.split("@")[0] });
    // SLA due times: 60 and 480 minutes after creation (urgent, 24/7).
    expect(created.firstResponseDueAt?.toISOString()).toBe(
      new Date(created.createdAt.getTime() + 60 * 60_000).toISOString(),
    );
    expect(created.resolutionDueAt?.toISOString()).toBe(
      new Date(created.createdAt.getTime() + 480 * 60_000).toISOString(),
    );
    const ticketId = created.id;
    // Live: the tenant's room and the support room hear of it.
    expect(owner.tenantEvents.map((e) => [e.tenantId, e.payload.ticketId, e.payload.change])).toContainEqual([
      tenantId,
      ticketId,
      "created",
    ]);
    expect(owner.roomEvents).toContainEqual(
      expect.objectContaining({
        room: "provider:support",
        event: "ticket:updated",
        payload: expect.objectContaining({ ticketId }),
      }),
    );
    // All support staff (nobody is assigned yet) are notified in-app, with an email copy.
    for (const staff of [agent.userId, admin.userId]) {
      const rows = await notificationsOf(staff, "ticket.created");
      expect(rows.map((r) => r.link)).toContain(`/admin/support/tickets/${ticketId}`);
    }
    expect((await notificationsOf(analyst.userId, "ticket.created")).map((r) => r.link)).not.toContain(
      `/admin/support/tickets/${ticketId}`,
    );
    const staffEmail = await testOwnerPrisma().emailOutbox.findFirst({
      where: { toEmail: world.users.providerAdmin.email, template: "ticket.created" },
      orderBy: { createdAt: "desc" },
    });
    expect(staffEmail?.subject).toContain(`#${created.number}`);

    // 2. The agents' queue across tenants; the tenant's thread shows the attachment.
    const queue = await agent.api.supportDesk.queue({ tenantId, assignee: "unassigned" });
    expect(queue.map((t) => t.id)).toContain(ticketId);
    const mine = await owner.api.ticket.get({ ticketId });
    expect(mine.attachments).toEqual([
      expect.objectContaining({
        fileId: file.id,
        fileName: "invoice-march.pdf",
        url: `/api/files/${file.id}`,
        internal: false,
      }),
    ]);
    expect(mine.allowedStatuses).toEqual(["resolved"]);

    // 3. An admin assigns it to the agent, who is notified.
    await admin.api.supportDesk.assign({ ticketId, employeeId: agentEmployeeId });
    expect((await agent.api.supportDesk.queue({ assignee: "me" })).map((t) => t.id)).toContain(ticketId);
    expect((await notificationsOf(agent.userId, "ticket.assigned")).map((r) => r.link)).toContain(
      `/admin/support/tickets/${ticketId}`,
    );

    // 4. An internal note with a provider-only file: staff see it, the tenant neither sees nor hears of it.
    const noteFile = await upload({
      userId: agent.userId,
      tenantId,
      name: "billing-export.log",
      bytes: LOG,
      asProvider: true,
    });
    owner.tenantEvents.length = 0;
    const ownerNotificationsBefore = (await notificationsOf(owner.userId)).length;
    const note = await agent.api.supportDesk.reply({
      ticketId,
      message: "Duplicate rows come from the March device swap; credit 2 vehicles.",
      internal: true,
      fileIds: [noteFile.id],
    });
    expect(agent.tenantEvents).toEqual([]);
    expect(agent.roomEvents.at(-1)).toMatchObject({ room: "provider:support", payload: { ticketId, change: "note" } });
    expect((await notificationsOf(owner.userId)).length).toBe(ownerNotificationsBefore);
    const agentView = await agent.api.supportDesk.get({ ticketId });
    const shownNote = agentView.messages.find((m) => m.id === note.messageId);
    expect(shownNote).toMatchObject({ internal: true, senderKind: "agent" });
    expect(shownNote?.attachments.map((a) => a.fileId)).toEqual([noteFile.id]);
    const tenantView = await owner.api.ticket.get({ ticketId });
    expect(tenantView.messages.map((m) => m.id)).not.toContain(note.messageId);
    expect(JSON.stringify(tenantView)).not.toContain("March device swap");
    // Row-level security, whatever the API asks for: a raw tenant-scoped query sees no note and no file.
    const raw = await withScope(testPrisma(), { kind: "tenant", tenantId, userId: owner.userId }, async (db) => ({
      notes: await db.supTicketMessage.count({ where: { ticketId, internal: true } }),
      messages: await db.supTicketMessage.count({ where: { ticketId } }),
      attachments: await db.supTicketAttachment.count({ where: { ticketId, internal: true } }),
      file: await db.docFile.findFirst({ where: { id: noteFile.id } }),
    }));
    expect(raw).toEqual({ notes: 0, messages: 0, attachments: 0, file: null });
    // …and the database refuses a tenant-scoped insert of an internal note.
    await expect(
      withScope(testPrisma(), { kind: "tenant", tenantId, userId: owner.userId }, (db) =>
        db.supTicketMessage.create({
          data: {
            ticketId,
            tenantId,
            senderUserId: owner.userId,
            senderKind: "agent",
            internal: true,
            message: "sneaky",
          },
        }),
      ),
    ).rejects.toThrow();

    // 5. The agent's first public reply sets the first response, picks the ticket up, tells the requester.
    const replied = await agent.api.supportDesk.reply({ ticketId, message: "Thanks — we are checking the invoice." });
    expect(replied.status).toBe("in_progress");
    const afterReply = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
    if (!afterReply.firstResponseAt) throw new Error("no first response recorded");
    // Wall-clock minutes (24/7 policy) from creation to the reply.
    expect(afterReply.firstResponseMinutes).toBe(
      Math.round((afterReply.firstResponseAt.getTime() - created.createdAt.getTime()) / 60_000),
    );
    expect((await notificationsOf(owner.userId, "ticket.reply")).map((r) => r.link)).toContain(
      `/support/tickets/${ticketId}`,
    );
    expect(agent.tenantEvents.map((e) => e.payload.change)).toEqual(["message", "status"]);
    const ownerEmail = await testOwnerPrisma().emailOutbox.findFirst({
      where: { toEmail: world.users.ownerA.email, template: "ticket.reply" },
      orderBy: { createdAt: "desc" },
    });
    expect(ownerEmail?.textBody).toContain(`https://fleet.test/support/tickets/${ticketId}`);

    // 6. Awaiting the customer pauses the resolution clock.
    await agent.api.supportDesk.changeStatus({
      ticketId,
      status: "awaiting_customer",
      reason: "need the invoice number",
    });
    const paused = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(paused.slaPausedAt).not.toBeNull();

    // 7. The customer's reply moves it back to in progress (resuming the clock) and tells the assignee.
    const agentRepliesBefore = (await notificationsOf(agent.userId, "ticket.reply")).length;
    const customerReply = await owner.api.ticket.reply({ ticketId, message: "Invoice INV-2026-03-118." });
    expect(customerReply.status).toBe("in_progress");
    const resumed = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(resumed.slaPausedAt).toBeNull();
    expect((await notificationsOf(agent.userId, "ticket.reply")).length).toBe(agentRepliesBefore + 1);
    const changes = await testOwnerPrisma().supTicketStatusChange.findMany({
      where: { ticketId },
      orderBy: { createdAt: "asc" },
    });
    expect(changes.map((c) => [c.fromStatus, c.toStatus, c.changedByUserId])).toEqual([
      [null, "open", owner.userId],
      ["open", "in_progress", agent.userId],
      ["in_progress", "awaiting_customer", agent.userId],
      ["awaiting_customer", "in_progress", owner.userId],
    ]);
    // Resuming pushed the resolution due time by exactly the pause (24/7: wall-clock milliseconds).
    const pausedAt = paused.slaPausedAt?.getTime() ?? Number.NaN;
    const resumedAt = changes[3]?.createdAt.getTime() ?? Number.NaN;
    expect(resumed.resolutionDueAt?.toISOString()).toBe(
      new Date(created.createdAt.getTime() + 480 * 60_000 + (resumedAt - pausedAt)).toISOString(),
    );

    // 8. Resolved: the resolution time is measured, a CSAT request is created and the requester asked.
    await agent.api.supportDesk.changeStatus({ ticketId, status: "resolved" });
    const resolved = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.resolutionMinutes).not.toBeNull();
    const csat = await testOwnerPrisma().supCustomerFeedback.findFirstOrThrow({ where: { ticketId } });
    expect(csat).toMatchObject({ kind: "csat", recipientUserId: owner.userId, rating: null, tenantId });
    expect((await notificationsOf(owner.userId, "ticket.resolved")).map((r) => r.link)).toContain(
      `/support/tickets/${ticketId}`,
    );

    // 9. The requester rates it; the agent sees the rating.
    const pending = await owner.api.feedback.listPending();
    expect(pending.map((p) => p.id)).toContain(csat.id);
    expect((await owner.api.ticket.get({ ticketId })).csat).toMatchObject({ id: csat.id, rating: null });
    expect(await trpcCode(dispatcher.api.feedback.answer({ feedbackId: csat.id, rating: 5 }))).toBe("NOT_FOUND");
    expect(await trpcCode(owner.api.feedback.answer({ feedbackId: csat.id, rating: 6 }))).toBe("BAD_REQUEST");
    await owner.api.feedback.answer({ feedbackId: csat.id, rating: 5, comment: "Quick and clear" });
    expect((await agent.api.supportDesk.get({ ticketId })).csat).toMatchObject({
      rating: 5,
      comment: "Quick and clear",
    });
    const history = await agent.api.supportDesk.tenantHistory({ tenantId });
    expect(history.tickets.map((t) => t.id)).toContain(ticketId);
    expect(history.feedback).toContainEqual(
      expect.objectContaining({ id: csat.id, rating: 5, ticketNumber: created.number }),
    );

    // 10. Closed: final. The customer's reply is refused with the reason.
    await agent.api.supportDesk.changeStatus({ ticketId, status: "closed" });
    const refused = await trpcError(owner.api.ticket.reply({ ticketId, message: "One more thing" }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/closed tickets cannot be reopened/);
    const illegal = await trpcError(agent.api.supportDesk.changeStatus({ ticketId, status: "open" }));
    expect(illegal.code).toBe("BAD_REQUEST");
    expect(illegal.message).toMatch(/from closed to open/);
    expect(await trpcCode(owner.api.feedback.answer({ feedbackId: csat.id, rating: 4 }))).toBe("CONFLICT");

    // Every change is in the audit log, on the tenant.
    const actions = (await auditRows({ entityId: ticketId })).map((r) => [r.action, r.tenantId]);
    for (const action of [
      "support_ticket.created",
      "support_ticket.assigned",
      "support_ticket.note_added",
      "support_ticket.replied",
      "support_ticket.status_changed",
    ]) {
      expect(actions).toContainEqual([action, tenantId]);
    }
    expect((await auditRows({ entityId: csat.id })).map((r) => r.action)).toEqual(["support_feedback.answered"]);
  });

  it("reopens a resolved ticket on the customer's reply; the customer may resolve it themselves", async () => {
    const t = await dispatcher.api.ticket.create({
      subject: "Driver app training",
      category: "training",
      priority: "low",
      description: "Can we get a session for new drivers?",
    });
    const resolved = await dispatcher.api.ticket.resolve({ ticketId: t.id });
    expect(resolved.status).toBe("resolved");
    expect(await testOwnerPrisma().supCustomerFeedback.count({ where: { ticketId: t.id, kind: "csat" } })).toBe(1);
    expect(await trpcCode(dispatcher.api.ticket.resolve({ ticketId: t.id }))).toBe("BAD_REQUEST");
    const reopened = await dispatcher.api.ticket.reply({ ticketId: t.id, message: "Actually, two sessions please." });
    expect(reopened.status).toBe("open");
    const row = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: t.id } });
    expect(row).toMatchObject({ status: "open", resolvedAt: null, resolutionMinutes: null, slaPausedAt: null });
  });

  it("recomputes the SLA due times when an agent changes the priority", async () => {
    const t = await owner.api.ticket.create({
      subject: "Map tiles slow",
      category: "technical",
      priority: "low",
      description: "The live map takes 20 s to load.",
    });
    const { policies } = await agent.api.supportSettings.get();
    expect(policies.find((p) => p.priority === "urgent")).toMatchObject({
      firstResponseMinutes: 60,
      resolutionMinutes: 480,
      businessHoursOnly: false,
    });
    await agent.api.supportDesk.update({ ticketId: t.id, priority: "urgent", category: "technical" });
    const row = await testOwnerPrisma().supTicket.findUniqueOrThrow({ where: { id: t.id } });
    expect(row.priority).toBe("urgent");
    // From the creation time under the urgent policy (24/7, no pause so far): +60 and +480 minutes.
    expect(row.firstResponseDueAt?.toISOString()).toBe(new Date(row.createdAt.getTime() + 60 * 60_000).toISOString());
    expect(row.resolutionDueAt?.toISOString()).toBe(new Date(row.createdAt.getTime() + 480 * 60_000).toISOString());
    expect((await auditRows({ entityId: t.id, action: "support_ticket.updated" })).length).toBe(1);
  });

  it("lets an agent open a ticket on a member's behalf; the member is notified", async () => {
    const t = await agent.api.supportDesk.createForTenant({
      tenantId: world.a.tenant.id,
      requesterUserId: viewer.userId,
      subject: "Follow-up from our call",
      category: "commercial",
      priority: "medium",
      description: "Quote for 20 more trackers.",
    });
    expect(t.requester.userId).toBe(viewer.userId);
    expect((await notificationsOf(viewer.userId, "ticket.created")).map((r) => r.link)).toContain(
      `/support/tickets/${t.id}`,
    );
    expect(
      await trpcCode(
        agent.api.supportDesk.createForTenant({
          tenantId: world.a.tenant.id,
          requesterUserId: ownerB.userId,
          subject: "Not a member",
          category: "commercial",
          priority: "medium",
          description: "x",
        }),
      ),
    ).toBe("NOT_FOUND");
  });
});

describe("access rules", () => {
  let ticketId: string;
  beforeAll(async () => {
    ticketId = (
      await owner.api.ticket.create({
        subject: "Geofence alerts missing",
        category: "technical",
        priority: "medium",
        description: "No alert when Bus 3 left the depot.",
      })
    ).id;
  });

  it("another tenant cannot read, reply to or resolve a ticket by crafted id (NOT_FOUND), nor list it", async () => {
    expect(await trpcCode(ownerB.api.ticket.get({ ticketId }))).toBe("NOT_FOUND");
    expect(await trpcCode(ownerB.api.ticket.reply({ ticketId, message: "hi" }))).toBe("NOT_FOUND");
    expect(await trpcCode(ownerB.api.ticket.resolve({ ticketId }))).toBe("NOT_FOUND");
    expect((await ownerB.api.ticket.list({})).map((t) => t.id)).not.toContain(ticketId);
    expect(await testOwnerPrisma().supTicketMessage.count({ where: { ticketId } })).toBe(0);
  });

  it("tenant users cannot reach the provider desk or settings (FORBIDDEN)", async () => {
    expect(await trpcCode(owner.api.supportDesk.queue({}))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.supportDesk.get({ ticketId }))).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.supportSettings.get())).toBe("FORBIDDEN");
    expect(await trpcCode(owner.api.feedback.requestNps({ tenantId: world.a.tenant.id }))).toBe("FORBIDDEN");
  });

  it("viewers read but cannot open, reply or resolve", async () => {
    expect((await viewer.api.ticket.list({})).map((t) => t.id)).toContain(ticketId);
    const detail = await viewer.api.ticket.get({ ticketId });
    expect(detail).toMatchObject({ canReply: false, allowedStatuses: [] });
    expect(
      await trpcCode(
        viewer.api.ticket.create({ subject: "Nope", category: "technical", priority: "low", description: "x" }),
      ),
    ).toBe("FORBIDDEN");
    expect(await trpcCode(viewer.api.ticket.reply({ ticketId, message: "x" }))).toBe("FORBIDDEN");
    expect(await trpcCode(viewer.api.ticket.resolve({ ticketId }))).toBe("FORBIDDEN");
  });

  it("analysts read the desk but cannot reply, note, assign or move tickets", async () => {
    expect((await analyst.api.supportDesk.queue({ status: "all" })).map((t) => t.id)).toContain(ticketId);
    expect((await analyst.api.supportDesk.get({ ticketId })).allowedStatuses).toEqual([]);
    expect(await trpcCode(analyst.api.supportDesk.reply({ ticketId, message: "x" }))).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.supportDesk.reply({ ticketId, message: "x", internal: true }))).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.supportDesk.assign({ ticketId, employeeId: null }))).toBe("FORBIDDEN");
    expect(await trpcCode(analyst.api.supportDesk.changeStatus({ ticketId, status: "in_progress" }))).toBe("FORBIDDEN");
    expect(
      await trpcCode(
        analyst.api.supportSettings.updatePolicy({
          priority: "low",
          firstResponseMinutes: 1,
          resolutionMinutes: 2,
          businessHoursOnly: true,
        }),
      ),
    ).toBe("FORBIDDEN");
  });

  it("attaches only the caller's own, unattached uploads in the same tenant", async () => {
    const tenantId = world.a.tenant.id;
    const ownersFile = await upload({ userId: owner.userId, tenantId, name: "a.pdf", bytes: PDF });
    // Someone else's upload, even in the same tenant.
    const stolen = await trpcError(
      dispatcher.api.ticket.reply({ ticketId, message: "see file", fileIds: [ownersFile.id] }),
    );
    expect(stolen.code).toBe("BAD_REQUEST");
    expect(stolen.message).toMatch(/not found, is not yours or is already attached/);
    // Another tenant's file.
    expect(
      await trpcCode(
        ownerB.api.ticket.create({
          subject: "Using A's file",
          category: "technical",
          priority: "low",
          description: "x",
          fileIds: [ownersFile.id],
        }),
      ),
    ).toBe("BAD_REQUEST");
    // Once attached, never again.
    await owner.api.ticket.reply({ ticketId, message: "see file", fileIds: [ownersFile.id] });
    expect(await trpcCode(owner.api.ticket.reply({ ticketId, message: "again", fileIds: [ownersFile.id] }))).toBe(
      "BAD_REQUEST",
    );
    // An agent's public reply makes its provider-only upload visible to the tenant.
    const agentFile = await upload({ userId: agent.userId, tenantId, name: "steps.pdf", bytes: PDF, asProvider: true });
    await agent.api.supportDesk.reply({ ticketId, message: "Steps attached.", fileIds: [agentFile.id] });
    const visible = await withScope(testPrisma(), { kind: "tenant", tenantId, userId: owner.userId }, (db) =>
      db.docFile.findFirst({ where: { id: agentFile.id }, select: { id: true } }),
    );
    expect(visible).toEqual({ id: agentFile.id });
  });

  it("provider staff visiting a tenant read its tickets but cannot post as its customer", async () => {
    const visitor = await session(world.users.providerAdmin.email);
    await visitor.api.auth.switchTenant({ tenantId: world.a.tenant.id });
    const inTenant = await callerFor(visitor.token);
    expect((await inTenant.api.ticket.get({ ticketId })).canReply).toBe(false);
    expect(await trpcCode(inTenant.api.ticket.reply({ ticketId, message: "as the customer?" }))).toBe("FORBIDDEN");
  });
});

describe("NPS", () => {
  it("asks the tenant's owners and admins once each, who answer 0–10 once", async () => {
    const tenantId = world.a.tenant.id;
    const asked = await agent.api.feedback.requestNps({ tenantId });
    expect(asked).toEqual({ requested: 2, skipped: 0 });
    expect(await agent.api.feedback.requestNps({ tenantId })).toEqual({ requested: 0, skipped: 2 });
    const admins = await session(world.users.adminA.email);
    const pending = (await owner.api.feedback.listPending()).filter((f) => f.kind === "nps");
    expect(pending).toHaveLength(1);
    expect((await viewer.api.feedback.listPending()).filter((f) => f.kind === "nps")).toEqual([]);
    expect((await notificationsOf(owner.userId, "feedback.requested")).length).toBe(1);
    const npsId = pending[0]?.id ?? "";
    expect(await trpcCode(owner.api.feedback.answer({ feedbackId: npsId, rating: 11 }))).toBe("BAD_REQUEST");
    await owner.api.feedback.answer({ feedbackId: npsId, rating: 9, comment: "Solid tracking" });
    expect(await trpcCode(owner.api.feedback.answer({ feedbackId: npsId, rating: 10 }))).toBe("CONFLICT");
    expect(await trpcCode(admins.api.feedback.answer({ feedbackId: npsId, rating: 1 }))).toBe("NOT_FOUND");
    const listed = await analyst.api.feedback.listForTenant({ tenantId });
    expect(listed).toContainEqual(
      expect.objectContaining({ id: npsId, kind: "nps", rating: 9, comment: "Solid tracking" }),
    );
    expect(await trpcCode(analyst.api.feedback.requestNps({ tenantId }))).toBe("FORBIDDEN");
    expect((await auditRows({ tenantId, action: "support_feedback.nps_requested" })).length).toBe(2);
  });
});

describe("SLA settings", () => {
  it("admins edit a policy and the calendar (audited); new tickets use them", async () => {
    const before = await admin.api.supportSettings.get();
    const low = before.policies.find((p) => p.priority === "low");
    if (!low) throw new Error("no low policy");
    try {
      const bad = await trpcError(
        admin.api.supportSettings.updatePolicy({
          priority: "low",
          firstResponseMinutes: 600,
          resolutionMinutes: 60,
          businessHoursOnly: true,
        }),
      );
      expect(bad.code).toBe("BAD_REQUEST");
      await admin.api.supportSettings.updatePolicy({
        priority: "low",
        firstResponseMinutes: 90,
        resolutionMinutes: 900,
        businessHoursOnly: false,
      });
      const t = await owner.api.ticket.create({
        subject: "Export CSV",
        category: "feature_request",
        priority: "low",
        description: "Please.",
      });
      expect(t.firstResponseDueAt?.getTime()).toBe(t.createdAt.getTime() + 90 * 60_000);
      expect(t.resolutionDueAt?.getTime()).toBe(t.createdAt.getTime() + 900 * 60_000);
      expect(
        await trpcCode(admin.api.supportSettings.updateCalendar({ ...before.calendar, timezone: "Mars/Base" })),
      ).toBe("BAD_REQUEST");
      const cal = await admin.api.supportSettings.updateCalendar({
        ...before.calendar,
        holidays: ["2099-12-25", "2099-01-01"],
      });
      expect(cal.holidays).toEqual(["2099-01-01", "2099-12-25"]);
      expect(
        (await auditRows({ action: "support_sla.policy_updated", actorUserId: admin.userId })).length,
      ).toBeGreaterThan(0);
      expect((await auditRows({ action: "support_sla.calendar_updated", actorUserId: admin.userId })).length).toBe(1);
    } finally {
      await admin.api.supportSettings.updatePolicy(low);
      await admin.api.supportSettings.updateCalendar(before.calendar);
    }
  });
});
