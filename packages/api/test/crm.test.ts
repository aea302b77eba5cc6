/**
 * The CRM through the real API (`crm.*`) against the real database: leads and their conversion,
 * the pipeline's stage machine and its audit, contracts (transitions, renewal, automatic expiry,
 * renewals due, documents), engagements, goals, the per-tenant timeline — and who may do what:
 * tenant users get FORBIDDEN, tenant scopes see no crm_ row (RLS), analysts and support agents
 * read but never write.
 */
import { expireContracts, storeUpload } from "@fleetcore/core";
import { disconnectAll, withScope } from "@fleetcore/db";
import { testOwnerPrisma, testPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  createTenantWithFleet,
  createUser,
  createWorld,
  DAY_MS,
  signIn,
  type TestClient,
  trpcCode,
  trpcError,
  uniqueEmail,
  type World,
} from "./fixtures";

afterAll(() => disconnectAll());

let world: World;
let admin: TestClient;
let am: TestClient;
let amEmployeeId: string;
let amUserId: string;
let analyst: TestClient;
let agent: TestClient;
let owner: TestClient;

beforeAll(async () => {
  world = await createWorld();
  admin = await signIn(world.users.providerAdmin.email);
  analyst = await signIn(world.users.providerAnalyst.email);
  const amUser = await createUser(uniqueEmail("staff.am"), undefined, "account_manager");
  am = await signIn(amUser.email);
  amUserId = amUser.id;
  amEmployeeId = (await testOwnerPrisma().providerEmployee.findUniqueOrThrow({ where: { userId: amUser.id } })).id;
  const agentUser = await createUser(uniqueEmail("staff.agent"), undefined, "support_agent");
  agent = await signIn(agentUser.email);
  owner = await signIn(world.users.ownerA.email);
});

/** UTC midnight `days` from today. */
const dayIn = (days: number) => {
  const d = new Date(Date.now() + days * DAY_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** A staff member's upload for `tenantId`, stored as `POST /api/files` stores it (provider-only). */
const staffUpload = (userId: string, tenantId: string, fileName: string, bytes: Uint8Array) =>
  withScope(testPrisma(), { kind: "provider", userId }, (db) =>
    storeUpload(db, { tenantId, uploadedByUserId: userId, fileName, bytes, providerOnly: true }),
  );

const newLead = (label: string) =>
  am.api.crm.leads.create({
    companyName: `${label} Freight ${Math.random().toString(36).slice(2, 7)}`,
    contactName: "Dana Reyes",
    contactEmail: "Dana@Example.com",
    contactPhone: "+1 512 555 0101",
    source: "website",
    priority: "high",
    fleetSize: 40,
    countryCode: "us",
  });

const newOpportunity = (name: string, stage: "prospecting" | "qualified" | "negotiation" = "prospecting") =>
  am.api.crm.opportunities.create({
    name: `${name} ${Math.random().toString(36).slice(2, 7)}`,
    tenantId: world.a.tenant.id,
    estimatedValueMinor: 1_200_000n,
    currency: "usd",
    closeDate: dayIn(30),
    stage,
    accountManagerId: amEmployeeId,
  });

describe("leads", () => {
  it("creates, edits, filters and soft-deletes a lead", async () => {
    const lead = await newLead("Create");
    expect(lead).toMatchObject({
      status: "new",
      priority: "high",
      contactEmail: "dana@example.com",
      contactPhone: "+15125550101",
      countryCode: "US",
      convertedOpportunityId: null,
    });
    const edited = await am.api.crm.leads.update({
      leadId: lead.id,
      notes: "Met at the expo",
      ownerEmployeeId: amEmployeeId,
    });
    expect(edited).toMatchObject({ notes: "Met at the expo", ownerEmployeeId: amEmployeeId });
    expect(edited.ownerName).toBeTruthy();

    const found = await analyst.api.crm.leads.list({ search: lead.companyName.split(" ").at(-1), priority: "high" });
    expect(found.map((l) => l.id)).toEqual([lead.id]);
    expect(await analyst.api.crm.leads.list({ search: lead.companyName, status: "qualified" })).toEqual([]);
    expect((await analyst.api.crm.leads.list({ ownerEmployeeId: amEmployeeId })).map((l) => l.id)).toContain(lead.id);

    await am.api.crm.leads.delete({ leadId: lead.id });
    expect(await analyst.api.crm.leads.list({ search: lead.companyName })).toEqual([]);
    expect(await trpcCode(am.api.crm.leads.get({ leadId: lead.id }))).toBe("NOT_FOUND");
    expect((await auditRows({ entityId: lead.id })).map((r) => r.action)).toEqual([
      "crm_lead.created",
      "crm_lead.updated",
      "crm_lead.deleted",
    ]);
  });

  it("moves status by the table; converted only by conversion; unqualified reopens to contacted", async () => {
    const lead = await newLead("Status");
    expect((await am.api.crm.leads.setStatus({ leadId: lead.id, status: "contacted" })).status).toBe("contacted");
    const back = await trpcError(am.api.crm.leads.setStatus({ leadId: lead.id, status: "new" }));
    expect(back.code).toBe("BAD_REQUEST");
    expect(back.message).toMatch(/from contacted to new/);
    await am.api.crm.leads.setStatus({ leadId: lead.id, status: "unqualified" });
    const stuck = await trpcError(am.api.crm.leads.setStatus({ leadId: lead.id, status: "qualified" }));
    expect(stuck.message).toMatch(/from unqualified to qualified/);
    const convertUnqualified = await trpcError(
      am.api.crm.leads.convert({ leadId: lead.id, estimatedValueMinor: 1n, currency: "USD", closeDate: dayIn(10) }),
    );
    expect(convertUnqualified.code).toBe("BAD_REQUEST");
    expect((await am.api.crm.leads.setStatus({ leadId: lead.id, status: "contacted" })).status).toBe("contacted");
  });

  it("converts a lead into an opportunity in one transaction; converting twice is CONFLICT", async () => {
    const lead = await newLead("Convert");
    await am.api.crm.leads.update({ leadId: lead.id, ownerEmployeeId: amEmployeeId });
    const { lead: converted, opportunity } = await am.api.crm.leads.convert({
      leadId: lead.id,
      estimatedValueMinor: 4_800_000n,
      currency: "eur",
      closeDate: new Date("2031-03-15T13:45:00Z"),
    });
    expect(converted).toMatchObject({ status: "converted", convertedOpportunityId: opportunity.id });
    expect(converted.convertedAt).toBeInstanceOf(Date);
    expect(opportunity).toMatchObject({
      name: lead.companyName,
      leadId: lead.id,
      leadCompanyName: lead.companyName,
      stage: "qualified",
      estimatedValueMinor: 4_800_000n,
      currency: "EUR",
      closeDate: new Date("2031-03-15T00:00:00Z"),
      accountManagerId: amEmployeeId,
      effectiveProbabilityPct: 25,
    });

    const again = await trpcError(
      am.api.crm.leads.convert({ leadId: lead.id, estimatedValueMinor: 1n, currency: "EUR", closeDate: dayIn(5) }),
    );
    expect(again.code).toBe("CONFLICT");
    const direct = await trpcError(am.api.crm.leads.setStatus({ leadId: lead.id, status: "qualified" }));
    expect(direct.code).toBe("BAD_REQUEST");
    // Exactly one opportunity came from the lead.
    expect(await testOwnerPrisma().crmOpportunity.count({ where: { leadId: lead.id } })).toBe(1);
    expect((await auditRows({ entityId: lead.id })).map((r) => r.action)).toContain("crm_lead.converted");
  });

  it("concurrent conversions of one lead: one wins, the other is CONFLICT", async () => {
    const lead = await newLead("Race");
    const input = { leadId: lead.id, estimatedValueMinor: 10n, currency: "USD", closeDate: dayIn(20) };
    const codes = await Promise.all([
      trpcCode(am.api.crm.leads.convert(input)),
      trpcCode(admin.api.crm.leads.convert(input)),
    ]);
    expect(codes.sort()).toEqual(["CONFLICT", "OK"]);
    expect(await testOwnerPrisma().crmOpportunity.count({ where: { leadId: lead.id } })).toBe(1);
  });
});

describe("opportunities: the stage machine", () => {
  it("moves between open stages both ways and to won, setting stageChangedAt/closedAt", async () => {
    const o = await newOpportunity("Moves");
    const q = await am.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "negotiation" });
    expect(q).toMatchObject({ stage: "negotiation", closedAt: null });
    expect(q.stageChangedAt.getTime()).toBeGreaterThanOrEqual(o.stageChangedAt.getTime());
    const back = await am.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "qualified" });
    expect(back.stage).toBe("qualified");
    const won = await am.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "won" });
    expect(won.stage).toBe("won");
    expect(won.closedAt).toBeInstanceOf(Date);
    expect(iso(won.closeDate)).toBe(iso(new Date()));
  });

  it("rejects every illegal move with a reason naming both stages", async () => {
    const won = await newOpportunity("Won");
    await am.api.crm.opportunities.moveStage({ opportunityId: won.id, stage: "won" });
    const lost = await newOpportunity("Lost");
    await am.api.crm.opportunities.moveStage({ opportunityId: lost.id, stage: "lost", lostReason: "Budget cut" });
    const stages = ["prospecting", "qualified", "proposal_sent", "negotiation", "won", "lost"] as const;
    for (const [closed, from] of [
      [won, "won"],
      [lost, "lost"],
    ] as const) {
      for (const to of stages.filter((s) => s !== from)) {
        const err = await trpcError(
          admin.api.crm.opportunities.moveStage({ opportunityId: closed.id, stage: to, lostReason: "x" }),
        );
        expect(err.code).toBe("BAD_REQUEST");
        expect(err.message).toContain(`from ${from} to ${to}`);
      }
    }
    const open = await newOpportunity("Same", "qualified");
    const same = await trpcError(am.api.crm.opportunities.moveStage({ opportunityId: open.id, stage: "qualified" }));
    expect(same.message).toMatch(/already in qualified/);
    // Nothing moved.
    expect((await am.api.crm.opportunities.get({ opportunityId: won.id })).stage).toBe("won");
    expect((await am.api.crm.opportunities.get({ opportunityId: lost.id })).stage).toBe("lost");
  });

  it("moving to lost requires a lost reason", async () => {
    const o = await newOpportunity("NeedsReason", "negotiation");
    for (const lostReason of [undefined, "", "   "]) {
      const err = await trpcError(
        am.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "lost", lostReason }),
      );
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toBe("moving from negotiation to lost needs a lost reason");
    }
    const lost = await am.api.crm.opportunities.moveStage({
      opportunityId: o.id,
      stage: "lost",
      lostReason: "Chose a competitor",
    });
    expect(lost).toMatchObject({ stage: "lost", lostReason: "Chose a competitor" });
  });

  it("a board move is audited crm_opportunity.stage_changed with the stage before and after", async () => {
    const o = await newOpportunity("Audited");
    await am.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "proposal_sent" });
    const rows = await auditRows({ entityId: o.id, action: "crm_opportunity.stage_changed" });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenantId: world.a.tenant.id,
      entityType: "crm_opportunity",
      actorType: "provider",
    });
    expect(((rows[0]?.changes ?? {}) as Record<string, unknown>).stage).toEqual({
      before: "prospecting",
      after: "proposal_sent",
    });
  });

  it("places a card before another within a column, and reopening is for admins only", async () => {
    const first = await newOpportunity("RankA", "negotiation");
    const second = await newOpportunity("RankB", "negotiation");
    await am.api.crm.opportunities.moveStage({
      opportunityId: second.id,
      stage: "negotiation",
      beforeOpportunityId: first.id,
    });
    const column = (await am.api.crm.opportunities.board({})).columns.find((c) => c.stage === "negotiation");
    const ids = column?.cards.map((c) => c.id) ?? [];
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));

    await am.api.crm.opportunities.moveStage({ opportunityId: first.id, stage: "won" });
    expect(
      await trpcCode(am.api.crm.opportunities.reopen({ opportunityId: first.id, reason: "Deal fell through" })),
    ).toBe("FORBIDDEN");
    const reopened = await admin.api.crm.opportunities.reopen({ opportunityId: first.id, reason: "Deal fell through" });
    expect(reopened).toMatchObject({ stage: "negotiation", closedAt: null, lostReason: null });
    expect(await trpcCode(admin.api.crm.opportunities.reopen({ opportunityId: first.id, reason: "again" }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("the board has a column per stage with counts and totals per currency", async () => {
    const tenant = await createTenantWithFleet("Board");
    const mk = (value: bigint, currency: string) =>
      am.api.crm.opportunities.create({
        name: `Board ${currency}`,
        tenantId: tenant.tenant.id,
        estimatedValueMinor: value,
        currency,
        closeDate: dayIn(15),
        stage: "proposal_sent",
      });
    await mk(100n, "USD");
    await mk(250n, "USD");
    await mk(999n, "EUR");
    const board = await analyst.api.crm.opportunities.board({});
    expect(board.columns.map((c) => c.stage)).toEqual([
      "prospecting",
      "qualified",
      "proposal_sent",
      "negotiation",
      "won",
      "lost",
    ]);
    const column = board.columns.find((c) => c.stage === "proposal_sent");
    const mine = column?.cards.filter((c) => c.tenantId === tenant.tenant.id) ?? [];
    expect(mine).toHaveLength(3);
    expect(column?.count).toBe(column?.cards.length);
    // Totals never mix currencies (other tests' cards are in this column too, so compare with a sum of the cards).
    for (const t of column?.totals ?? []) {
      const cards = column?.cards.filter((c) => c.currency === t.currency) ?? [];
      expect(t.totalMinor).toBe(cards.reduce((s, c) => s + c.estimatedValueMinor, 0n));
      expect(t.count).toBe(cards.length);
    }
  });

  it("stage probabilities: admins edit open stages; the forecast uses them", async () => {
    expect(await trpcCode(am.api.crm.forecast.setStageProbability({ stage: "qualified", probabilityPct: 30 }))).toBe(
      "FORBIDDEN",
    );
    expect(
      await trpcCode(admin.api.crm.forecast.setStageProbability({ stage: "won" as never, probabilityPct: 50 })),
    ).toBe("BAD_REQUEST");
    // A month and the ISO 4217 test currency XTS that no other test uses, so the bucket is this opportunity alone.
    const o = await am.api.crm.opportunities.create({
      name: `Weighted ${Math.random().toString(36).slice(2, 7)}`,
      estimatedValueMinor: 1000n,
      currency: "XTS",
      closeDate: new Date("2032-05-14T00:00:00Z"),
      stage: "qualified",
    });
    try {
      const updated = await admin.api.crm.forecast.setStageProbability({ stage: "qualified", probabilityPct: 30 });
      expect(updated.probabilityPct).toBe(30);
      const table = await analyst.api.crm.forecast.stageProbabilities();
      expect(table.map((s) => [s.stage, s.probabilityPct])).toEqual([
        ["prospecting", 10],
        ["qualified", 30],
        ["proposal_sent", 50],
        ["negotiation", 75],
        ["won", 100],
        ["lost", 0],
      ]);
      const forecast = await analyst.api.crm.forecast.get({ fromMonth: "2032-05", months: 1 });
      expect(forecast.months).toEqual(["2032-05"]);
      const bucket = forecast.buckets.find((b) => b.currency === "XTS");
      expect(bucket).toMatchObject({ month: "2032-05", openCount: 1, pipelineMinor: 1000n, weightedMinor: 300n });
    } finally {
      await admin.api.crm.forecast.setStageProbability({ stage: "qualified", probabilityPct: 25 });
      await am.api.crm.opportunities.delete({ opportunityId: o.id });
    }
  });
});

describe("contracts", () => {
  const newContract = (tenantId: string, expiresInDays: number, extra: Record<string, unknown> = {}) =>
    am.api.crm.contracts.create({
      tenantId,
      planName: "Fleet Pro",
      effectiveDate: dayIn(expiresInDays - 365),
      expiryDate: dayIn(expiresInDays),
      annualValueMinor: 1_980_000n,
      currency: "USD",
      terms: "12 months",
      ...extra,
    });

  it("creates with a `created` event; a value needs its currency; expiry not before the start", async () => {
    const c = await newContract(world.a.tenant.id, 200);
    expect(c).toMatchObject({ status: "active", tenantName: world.a.tenant.name, daysToExpiry: 200 });
    const detail = await analyst.api.crm.contracts.get({ contractId: c.id });
    expect(detail.events.map((e) => [e.kind, e.toStatus])).toEqual([["created", "active"]]);
    expect(await trpcCode(newContract(world.a.tenant.id, 100, { currency: null }))).toBe("BAD_REQUEST");
    expect(
      await trpcCode(
        am.api.crm.contracts.create({
          tenantId: world.a.tenant.id,
          planName: "Backwards",
          effectiveDate: dayIn(10),
          expiryDate: dayIn(5),
        }),
      ),
    ).toBe("BAD_REQUEST");
  });

  it("follows the status table, rejecting illegal transitions with a reason", async () => {
    const c = await newContract(world.a.tenant.id, 100);
    const id = c.id;
    const change = (status: "active" | "pending_renewal" | "expired" | "terminated", reason?: string) =>
      am.api.crm.contracts.changeStatus({ contractId: id, status, reason });

    const expireActive = await trpcError(change("expired"));
    expect(expireActive.message).toMatch(/from active to expired/);
    expect((await change("pending_renewal")).status).toBe("pending_renewal");
    expect((await change("active")).status).toBe("active");
    const noReason = await trpcError(change("terminated"));
    expect(noReason.message).toMatch(/needs a reason/);
    const terminated = await change("terminated", "Customer went bankrupt");
    expect(terminated).toMatchObject({ status: "terminated", terminationReason: "Customer went bankrupt" });
    expect(terminated.terminatedAt).toBeInstanceOf(Date);
    for (const to of ["active", "pending_renewal", "expired"] as const) {
      const err = await trpcError(change(to, "why"));
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.message).toContain(`from terminated to ${to}`);
    }
    expect(await trpcCode(am.api.crm.contracts.update({ contractId: id, planName: "Edited" }))).toBe("BAD_REQUEST");

    const pending = await newContract(world.a.tenant.id, 100);
    await am.api.crm.contracts.changeStatus({ contractId: pending.id, status: "pending_renewal" });
    expect((await am.api.crm.contracts.changeStatus({ contractId: pending.id, status: "expired" })).status).toBe(
      "expired",
    );
    expect(await trpcCode(am.api.crm.contracts.changeStatus({ contractId: pending.id, status: "active" }))).toBe(
      "BAD_REQUEST",
    );

    const detail = await analyst.api.crm.contracts.get({ contractId: id });
    expect(detail.events.map((e) => [e.kind, e.fromStatus, e.toStatus])).toEqual([
      ["created", null, "active"],
      ["status_changed", "active", "pending_renewal"],
      ["status_changed", "pending_renewal", "active"],
      ["status_changed", "active", "terminated"],
    ]);
    expect(detail.events.every((e) => e.actorEmail !== null)).toBe(true);
    expect((await auditRows({ entityId: id })).map((r) => r.action)).toEqual([
      "crm_contract.created",
      "crm_contract.status_changed",
      "crm_contract.status_changed",
      "crm_contract.status_changed",
    ]);
  });

  it("renews into a new contract from the day after the old expiry; once only", async () => {
    const old = await newContract(world.a.tenant.id, 40);
    await am.api.crm.contracts.changeStatus({ contractId: old.id, status: "pending_renewal" });
    const renewal = await am.api.crm.contracts.renew({
      contractId: old.id,
      expiryDate: dayIn(40 + 365),
      annualValueMinor: 2_100_000n,
    });
    expect(renewal).toMatchObject({
      status: "active",
      renewsContractId: old.id,
      planName: "Fleet Pro",
      annualValueMinor: 2_100_000n,
      currency: "USD",
      terms: "12 months",
    });
    expect(iso(renewal.effectiveDate)).toBe(iso(dayIn(41)));
    const oldAfter = await analyst.api.crm.contracts.get({ contractId: old.id });
    expect(oldAfter).toMatchObject({ status: "active", renewedByContractId: renewal.id });
    expect(oldAfter.events.at(-1)).toMatchObject({
      kind: "renewed",
      fromStatus: "pending_renewal",
      toStatus: "active",
    });
    expect((await analyst.api.crm.contracts.get({ contractId: renewal.id })).events[0]).toMatchObject({
      kind: "created",
      details: { renewsContractId: old.id },
    });
    expect(await trpcCode(am.api.crm.contracts.renew({ contractId: old.id, expiryDate: dayIn(500) }))).toBe("CONFLICT");
    // A renewal must end after it starts.
    const other = await newContract(world.a.tenant.id, 60);
    expect(await trpcCode(am.api.crm.contracts.renew({ contractId: other.id, expiryDate: dayIn(60) }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("expireContracts expires past-due active/pending contracts once, with events (idempotent)", async () => {
    const tenant = await createTenantWithFleet("Expiry");
    const pastActive = await newContract(tenant.tenant.id, -1);
    const pastPending = await newContract(tenant.tenant.id, -30);
    await am.api.crm.contracts.changeStatus({ contractId: pastPending.id, status: "pending_renewal" });
    const today = await newContract(tenant.tenant.id, 0);
    const future = await newContract(tenant.tenant.id, 10);

    // Noon of the day the contracts were dated from (`dayIn(0)`), even if the clock passed midnight since.
    const asOf = new Date(today.expiryDate.getTime() + 12 * 3_600_000);
    const first = await expireContracts(testPrisma(), asOf);
    expect(first).toBeGreaterThanOrEqual(2);
    expect(await expireContracts(testPrisma(), asOf)).toBe(0);

    const statuses = await analyst.api.crm.contracts.list({ tenantId: tenant.tenant.id });
    expect(Object.fromEntries(statuses.map((c) => [c.id, c.status]))).toEqual({
      [pastActive.id]: "expired",
      [pastPending.id]: "expired",
      [today.id]: "active",
      [future.id]: "active",
    });
    const events = await testOwnerPrisma().crmContractEvent.findMany({
      where: { tenantId: tenant.tenant.id, toStatus: "expired" },
    });
    expect(events).toHaveLength(2);
    for (const e of events)
      expect(e).toMatchObject({ kind: "status_changed", actorUserId: null, details: { automatic: true } });
    expect(await auditRows({ tenantId: tenant.tenant.id, action: "crm_contract.expired" })).toHaveLength(2);

    // The day after tomorrow, today's contract is past due too.
    expect(await expireContracts(testPrisma(), new Date(Date.now() + 2 * DAY_MS))).toBeGreaterThanOrEqual(1);
    expect((await analyst.api.crm.contracts.get({ contractId: today.id })).status).toBe("expired");
  });

  it("renewals due within 30, 60 and 90 days (not yet renewed, not expired)", async () => {
    const tenant = await createTenantWithFleet("Renewals");
    const c10 = await newContract(tenant.tenant.id, 10);
    const c45 = await newContract(tenant.tenant.id, 45);
    const c80 = await newContract(tenant.tenant.id, 80);
    await newContract(tenant.tenant.id, 120);
    const renewed = await newContract(tenant.tenant.id, 20);
    await am.api.crm.contracts.renew({ contractId: renewed.id, expiryDate: dayIn(400) });
    const terminated = await newContract(tenant.tenant.id, 15);
    await am.api.crm.contracts.changeStatus({ contractId: terminated.id, status: "terminated", reason: "churned" });

    const due = async (days: 30 | 60 | 90) =>
      (await analyst.api.crm.contracts.renewalsDue({ days }))
        .filter((c) => c.tenantId === tenant.tenant.id)
        .map((c) => c.id);
    expect(await due(30)).toEqual([c10.id]);
    expect(await due(60)).toEqual([c10.id, c45.id]);
    expect(await due(90)).toEqual([c10.id, c45.id, c80.id]);
  });

  it("attaches a PDF uploaded by the caller for the contract's tenant as its provider-only document", async () => {
    const c = await newContract(world.a.tenant.id, 300);
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    const stored = await staffUpload(amUserId, world.a.tenant.id, "../../signed contract.pdf", pdf);
    const withDoc = await am.api.crm.contracts.attachDocument({ contractId: c.id, fileId: stored.id });
    expect(withDoc.document).toEqual({ fileId: stored.id, fileName: "signed contract.pdf", sizeBytes: pdf.length });
    const file = await testOwnerPrisma().docFile.findUniqueOrThrow({ where: { id: stored.id } });
    expect(file).toMatchObject({ providerOnly: true, tenantId: world.a.tenant.id, contentType: "application/pdf" });
    expect(Buffer.from(file.content).equals(pdf)).toBe(true);
    const detail = await analyst.api.crm.contracts.get({ contractId: c.id });
    expect(detail.document?.fileId).toBe(stored.id);
    expect(detail.events.at(-1)).toMatchObject({ kind: "updated", details: { fields: ["document"] } });
    const [audit] = await auditRows({ action: "crm_contract.document_uploaded", entityId: c.id });
    expect(audit?.tenantId).toBe(world.a.tenant.id);
    // The tenant's own scope does not see the file (RLS: provider-only).
    const seen = await withScope(testPrisma(), { kind: "tenant", tenantId: world.a.tenant.id }, (db) =>
      db.docFile.count({ where: { id: file.id } }),
    );
    expect(seen).toBe(0);
  });

  it("refuses to attach a non-PDF, someone else's upload, another tenant's file or a file already attached", async () => {
    const c = await newContract(world.a.tenant.id, 300);
    const other = await newContract(world.a.tenant.id, 200);
    const pdf = Buffer.from("%PDF-1.4\ntrailer << >>\n%%EOF\n");
    const attach = (fileId: string, contractId = c.id) =>
      trpcError(am.api.crm.contracts.attachDocument({ contractId, fileId }));

    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
      "base64",
    );
    const image = await staffUpload(amUserId, world.a.tenant.id, "fake.pdf", png);
    const notPdf = await attach(image.id);
    expect(notPdf.code).toBe("BAD_REQUEST");
    expect(notPdf.message).toMatch(/must be a PDF; this file is image\/png/);

    const byAdmin = await staffUpload(world.users.providerAdmin.id, world.a.tenant.id, "a.pdf", pdf);
    expect(await attach(byAdmin.id)).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not your upload/),
    });

    const otherTenant = await staffUpload(amUserId, world.b.tenant.id, "b.pdf", pdf);
    expect((await attach(otherTenant.id)).code).toBe("BAD_REQUEST");

    const once = await staffUpload(amUserId, world.a.tenant.id, "once.pdf", pdf);
    await am.api.crm.contracts.attachDocument({ contractId: other.id, fileId: once.id });
    expect(await attach(once.id)).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/already attached/),
    });

    expect(
      await trpcCode(am.api.crm.contracts.attachDocument({ contractId: world.a.tenant.id, fileId: once.id })),
    ).toBe("NOT_FOUND");
    expect((await analyst.api.crm.contracts.get({ contractId: c.id })).document).toBeNull();
  });
});

describe("engagements and goals", () => {
  it("logs, filters, edits and soft-deletes engagements", async () => {
    const tenant = await createTenantWithFleet("Engage");
    const tenantId = tenant.tenant.id;
    const call = await am.api.crm.engagements.create({
      tenantId,
      type: "call",
      title: "Quarterly check-in",
      outcome: "positive",
      completedAt: new Date("2030-01-10T15:00:00Z"),
      attendees: [{ name: "Ana Ruiz", email: "Ana@Customer.example", role: "Fleet manager" }],
    });
    expect(call.attendees).toEqual([{ name: "Ana Ruiz", email: "ana@customer.example", role: "Fleet manager" }]);
    expect(call.occurredAt).toEqual(new Date("2030-01-10T15:00:00Z"));
    const demo = await am.api.crm.engagements.create({
      tenantId,
      type: "demo",
      title: "Geofence demo",
      scheduledAt: new Date("2030-02-01T10:00:00Z"),
    });
    await am.api.crm.engagements.create({ tenantId, type: "note", title: "Prefers email" });

    expect((await analyst.api.crm.engagements.list({ tenantId })).map((e) => e.title)).toEqual([
      "Geofence demo",
      "Quarterly check-in",
      "Prefers email",
    ]);
    expect((await analyst.api.crm.engagements.list({ tenantId, type: "call" })).map((e) => e.id)).toEqual([call.id]);
    expect((await analyst.api.crm.engagements.list({ tenantId, outcome: "positive" })).map((e) => e.id)).toEqual([
      call.id,
    ]);
    expect(
      (
        await analyst.api.crm.engagements.list({
          tenantId,
          from: new Date("2030-01-15T00:00:00Z"),
          to: new Date("2030-03-01T00:00:00Z"),
        })
      ).map((e) => e.id),
    ).toEqual([demo.id]);

    const done = await am.api.crm.engagements.update({
      engagementId: demo.id,
      completedAt: new Date("2030-02-01T11:00:00Z"),
      outcome: "action_required",
      description: "Wants a polygon per depot",
    });
    expect(done).toMatchObject({ outcome: "action_required", occurredAt: new Date("2030-02-01T11:00:00Z") });
    await am.api.crm.engagements.delete({ engagementId: call.id });
    expect((await analyst.api.crm.engagements.list({ tenantId })).map((e) => e.id)).not.toContain(call.id);
    expect(await trpcCode(am.api.crm.engagements.delete({ engagementId: call.id }))).toBe("NOT_FOUND");
    expect((await auditRows({ entityId: demo.id })).map((r) => r.action)).toEqual([
      "crm_engagement.created",
      "crm_engagement.updated",
    ]);
  });

  it("goals: CRUD, progress, achieved automatically when current ≥ target with a completion date", async () => {
    const tenantId = world.b.tenant.id;
    const goal = await am.api.crm.goals.create({
      tenantId,
      title: "Adopt geofences in every depot",
      metricType: "adoption",
      currentValue: 3,
      targetValue: 8,
      unit: "depots",
      measurementPeriod: "quarterly",
      targetDate: dayIn(60),
    });
    expect(goal).toMatchObject({ status: "on_track", progressPct: 37.5, currentValue: 3, targetValue: 8 });
    const atRisk = await am.api.crm.goals.update({ goalId: goal.id, status: "at_risk", currentValue: 4.25 });
    expect(atRisk).toMatchObject({ status: "at_risk", currentValue: 4.25, progressPct: 53.1 });
    // Reaching the target without a completion date keeps the manual status.
    expect((await am.api.crm.goals.update({ goalId: goal.id, currentValue: 9 })).status).toBe("at_risk");
    const achieved = await am.api.crm.goals.update({ goalId: goal.id, completionDate: dayIn(0) });
    expect(achieved).toMatchObject({ status: "achieved", progressPct: 112.5 });
    // A manual status cannot override achieved while it holds; once it no longer holds, it falls back.
    expect((await am.api.crm.goals.update({ goalId: goal.id, status: "missed" })).status).toBe("achieved");
    expect((await am.api.crm.goals.update({ goalId: goal.id, currentValue: 5 })).status).toBe("on_track");
    expect(await trpcCode(am.api.crm.goals.update({ goalId: goal.id, status: "achieved" as never }))).toBe(
      "BAD_REQUEST",
    );
    expect(await trpcCode(am.api.crm.goals.update({ goalId: goal.id, currentValue: 1.234 }))).toBe("BAD_REQUEST");

    const created = await am.api.crm.goals.create({
      tenantId,
      title: "Done already",
      metricType: "seat_count",
      currentValue: 50,
      targetValue: 50,
      measurementPeriod: "yearly",
      completionDate: dayIn(-1),
    });
    expect(created.status).toBe("achieved");
    expect((await analyst.api.crm.goals.list({ tenantId })).map((g) => g.id)).toEqual([goal.id, created.id]);
    await am.api.crm.goals.delete({ goalId: created.id });
    expect((await analyst.api.crm.goals.list({ tenantId })).map((g) => g.id)).toEqual([goal.id]);
  });
});

describe("timeline", () => {
  it("merges engagements, tickets opened/resolved, lifecycle and contract events, newest first", async () => {
    const fleet = await createTenantWithFleet("Timeline");
    const tenantId = fleet.tenant.id;
    const db = testOwnerPrisma();
    const t = (iso: string) => new Date(iso);
    await am.api.crm.engagements.create({
      tenantId,
      type: "meeting",
      title: "Kick-off",
      completedAt: t("2026-03-01T10:00:00Z"),
    });
    await am.api.crm.engagements.create({
      tenantId,
      type: "training",
      title: "Dispatcher training",
      scheduledAt: t("2026-03-05T09:00:00Z"),
    });
    const requester = await createUser(uniqueEmail("timeline.requester"), { tenantId, role: "admin" });
    const ticket = await db.supTicket.create({
      data: {
        tenantId,
        submittedByUserId: requester.id,
        subject: "GPS gaps on bus 12",
        description: "…",
        category: "technical",
        priority: "high",
        status: "resolved",
        createdAt: t("2026-03-02T08:00:00Z"),
        resolvedAt: t("2026-03-04T17:00:00Z"),
      },
    });
    await db.tenantLifecycleEvent.create({
      data: {
        tenantId,
        eventType: "activated",
        fromStatus: "trial",
        toStatus: "active",
        occurredAt: t("2026-03-03T12:00:00Z"),
      },
    });
    const contract = await am.api.crm.contracts.create({
      tenantId,
      planName: "Fleet Starter",
      effectiveDate: t("2026-03-01T00:00:00Z"),
      expiryDate: t("2027-02-28T00:00:00Z"),
    });
    await db.crmContractEvent.updateMany({
      where: { contractId: contract.id },
      data: { occurredAt: t("2026-03-06T00:00:00Z") },
    });

    const page = await analyst.api.crm.timeline({ tenantId, before: t("2026-04-01T00:00:00Z") });
    expect(page.items.map((i) => [i.kind, i.occurredAt.toISOString()])).toEqual([
      ["contract", "2026-03-06T00:00:00.000Z"],
      ["engagement", "2026-03-05T09:00:00.000Z"],
      ["ticket_resolved", "2026-03-04T17:00:00.000Z"],
      ["lifecycle", "2026-03-03T12:00:00.000Z"],
      ["ticket_opened", "2026-03-02T08:00:00.000Z"],
      ["engagement", "2026-03-01T10:00:00.000Z"],
    ]);
    expect(page.items[2]).toMatchObject({
      title: expect.stringContaining(`#${ticket.number}`),
      link: expect.stringContaining(ticket.id),
    });
    expect(page.items[0]?.title).toContain("Fleet Starter");
    expect(page.nextBefore).toBeNull();

    // Paging: two at a time, continuing from nextBefore.
    const first = await analyst.api.crm.timeline({ tenantId, before: t("2026-04-01T00:00:00Z"), limit: 2 });
    expect(first.items.map((i) => i.kind)).toEqual(["contract", "engagement"]);
    const second = await analyst.api.crm.timeline({ tenantId, before: first.nextBefore ?? undefined, limit: 2 });
    expect(second.items.map((i) => i.kind)).toEqual(["ticket_resolved", "lifecycle"]);
  });
});

describe("access", () => {
  it("a tenant owner gets FORBIDDEN on every CRM procedure", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const calls: (() => Promise<unknown>)[] = [
      () => owner.api.crm.leads.list({}),
      () => owner.api.crm.leads.create({ companyName: "X", contactName: "Y", source: "other" }),
      () =>
        owner.api.crm.leads.convert({ leadId: id, estimatedValueMinor: 1n, currency: "USD", closeDate: new Date() }),
      () => owner.api.crm.opportunities.board({}),
      () => owner.api.crm.opportunities.list({}),
      () => owner.api.crm.opportunities.moveStage({ opportunityId: id, stage: "won" }),
      () => owner.api.crm.forecast.get({}),
      () => owner.api.crm.forecast.stageProbabilities(),
      () => owner.api.crm.contracts.list({}),
      () => owner.api.crm.contracts.renewalsDue({ days: 30 }),
      () => owner.api.crm.contracts.attachDocument({ contractId: id, fileId: id }),
      () => owner.api.crm.engagements.list({ tenantId: world.a.tenant.id }),
      () => owner.api.crm.goals.list({ tenantId: world.a.tenant.id }),
      () => owner.api.crm.timeline({ tenantId: world.a.tenant.id }),
    ];
    for (const call of calls) expect(await trpcCode(call())).toBe("FORBIDDEN");
  });

  it("a tenant-scoped query sees no crm_ row (RLS), while the provider scope does", async () => {
    await am.api.crm.engagements.create({ tenantId: world.a.tenant.id, type: "note", title: "RLS probe" });
    await am.api.crm.goals.create({
      tenantId: world.a.tenant.id,
      title: "RLS probe",
      metricType: "custom",
      targetValue: 1,
      measurementPeriod: "monthly",
    });
    // One query at a time: they share the transaction's connection.
    const count = async (db: Parameters<Parameters<typeof withScope>[2]>[0]) => [
      await db.crmLead.count(),
      await db.crmOpportunity.count(),
      await db.crmContract.count(),
      await db.crmContractEvent.count(),
      await db.crmEngagement.count(),
      await db.crmGoal.count(),
    ];
    const asTenant = await withScope(
      testPrisma(),
      { kind: "tenant", tenantId: world.a.tenant.id, userId: world.users.ownerA.id },
      count,
    );
    expect(asTenant).toEqual([0, 0, 0, 0, 0, 0]);
    const asProvider = await withScope(testPrisma(), { kind: "provider", userId: world.users.providerAdmin.id }, count);
    expect(asProvider.every((n) => n > 0)).toBe(true);
  });

  it("analysts and support agents read but cannot write", async () => {
    const o = await newOpportunity("ReadOnly");
    for (const reader of [analyst, agent]) {
      expect(await trpcCode(reader.api.crm.opportunities.board({}))).toBe("OK");
      expect(await trpcCode(reader.api.crm.leads.list({}))).toBe("OK");
      expect(await trpcCode(reader.api.crm.forecast.get({}))).toBe("OK");
      expect(await trpcCode(reader.api.crm.timeline({ tenantId: world.a.tenant.id }))).toBe("OK");
      const writes: (() => Promise<unknown>)[] = [
        () => reader.api.crm.leads.create({ companyName: "X", contactName: "Y", source: "other" }),
        () => reader.api.crm.opportunities.moveStage({ opportunityId: o.id, stage: "qualified" }),
        () => reader.api.crm.opportunities.update({ opportunityId: o.id, name: "nope" }),
        () => reader.api.crm.forecast.setStageProbability({ stage: "qualified", probabilityPct: 99 }),
        () =>
          reader.api.crm.contracts.create({
            tenantId: world.a.tenant.id,
            planName: "nope",
            effectiveDate: dayIn(0),
            expiryDate: dayIn(10),
          }),
        () => reader.api.crm.contracts.attachDocument({ contractId: o.id, fileId: o.id }),
        () => reader.api.crm.engagements.create({ tenantId: world.a.tenant.id, type: "note", title: "nope" }),
        () =>
          reader.api.crm.goals.create({
            tenantId: world.a.tenant.id,
            title: "nope",
            metricType: "custom",
            targetValue: 1,
            measurementPeriod: "monthly",
          }),
      ];
      for (const w of writes) expect(await trpcCode(w())).toBe("FORBIDDEN");
    }
    expect((await am.api.crm.opportunities.get({ opportunityId: o.id })).stage).toBe("prospecting");
  });
});
