/**
 * POST /api/files and GET /api/files/:id through the real server with session cookies: allowed types
 * stored with the type sniffed from the bytes (PDF, PNG, UTF-8 text), refused ones with a reason (an
 * .exe, HTML posing as a PNG, text with NUL bytes, over 10 MB → 413), and downloads decided by
 * row-level security (another tenant's file and a provider-only file are 404 to a tenant user) and by
 * support:read (a member whose role lacks it gets 404 for their own tenant's files).
 */
import { hashPassword } from "@fleetcore/core";
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, httpLogin, startTestServer } from "./helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
let lonestarOwner: string;
let lonestarViewer: string;
let rhoneOwner: string;
let agent: string;
let lonestarId: string;

beforeAll(async () => {
  server = await startTestServer();
  lonestarOwner = (await httpLogin(server.url, "owner@lonestar.demo")).cookie;
  lonestarViewer = (await httpLogin(server.url, "viewer@lonestar.demo")).cookie;
  rhoneOwner = (await httpLogin(server.url, "owner@rhone.demo")).cookie;
  agent = (await httpLogin(server.url, "support@fleetcore.demo")).cookie;
  lonestarId = (await testOwnerPrisma().tenant.findUniqueOrThrow({ where: { slug: "lone-star-transit" } })).id;
});

afterAll(async () => {
  await server?.app.close();
  await disconnectAll();
});

const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
/** The start of a Windows executable: "MZ", then padding. */
const EXE = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(510, 0x90)]);

function upload(
  cookie: string | null,
  file: { name: string; bytes: Uint8Array; type?: string },
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(
    "file",
    new Blob([new Uint8Array(file.bytes)], { type: file.type ?? "application/octet-stream" }),
    file.name,
  );
  return fetch(`${server.url}/api/files`, {
    method: "POST",
    headers: { origin: server.url, ...(cookie ? { cookie } : {}) },
    body: form,
  });
}

const download = (cookie: string | null, id: string) =>
  fetch(`${server.url}/api/files/${id}`, { headers: cookie ? { cookie } : {} });

describe("POST /api/files", () => {
  it("stores a PDF and a PNG with the type detected from the bytes, and downloads them as attachments", async () => {
    const pdf = await upload(lonestarOwner, { name: "invoice march.pdf", bytes: PDF, type: "text/plain" });
    expect(pdf.status).toBe(201);
    const pdfBody = (await pdf.json()) as { id: string; contentType: string; sizeBytes: number; sha256: string };
    expect(pdfBody).toMatchObject({ contentType: "application/pdf", sizeBytes: PDF.byteLength });
    expect(pdfBody.sha256).toMatch(/^[0-9a-f]{64}$/);

    const png = await upload(lonestarOwner, { name: "screenshot.png", bytes: PNG, type: "image/png" });
    expect(png.status).toBe(201);
    const pngBody = (await png.json()) as { id: string; contentType: string };
    expect(pngBody.contentType).toBe("image/png");

    const res = await download(lonestarOwner, pdfBody.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="invoice march.pdf"; filename*=UTF-8''invoice%20march.pdf`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(PDF))).toBe(true);

    const row = await testOwnerPrisma().docFile.findUniqueOrThrow({ where: { id: pdfBody.id } });
    expect(row).toMatchObject({ tenantId: lonestarId, providerOnly: false, fileName: "invoice march.pdf" });
    const audit = await testOwnerPrisma().auditLog.findFirst({
      where: { entityId: pdfBody.id, action: "doc_file.uploaded" },
    });
    expect(audit?.tenantId).toBe(lonestarId);
  });

  it("accepts UTF-8 text only as .txt/.csv/.log without NUL bytes", async () => {
    const csv = await upload(lonestarOwner, {
      name: "stops.csv",
      bytes: new TextEncoder().encode("stop,arrival\nDepot,09:00 ✓\n"),
    });
    expect(csv.status).toBe(201);
    expect(((await csv.json()) as { contentType: string }).contentType).toBe("text/csv; charset=utf-8");
    const nul = await upload(lonestarOwner, { name: "dump.txt", bytes: new Uint8Array([0x61, 0x00, 0x62]) });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { message: string }).message).toMatch(/UTF-8 without NUL/);
    const latin1 = await upload(lonestarOwner, { name: "old.txt", bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9]) });
    expect(latin1.status).toBe(400);
  });

  it("refuses an executable and HTML posing as a PNG, whatever the browser claims", async () => {
    const exe = await upload(lonestarOwner, { name: "setup.exe", bytes: EXE, type: "application/pdf" });
    expect(exe.status).toBe(400);
    expect(((await exe.json()) as { message: string }).message).toMatch(/not accepted; allowed: PDF, PNG/);
    const html = await upload(lonestarOwner, {
      name: "cat.png",
      bytes: new TextEncoder().encode(
        "<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
      ),
      type: "image/png",
    });
    expect(html.status).toBe(400);
    expect(((await html.json()) as { message: string }).message).toMatch(/checked from the bytes, not the name/);
  });

  it("answers 413 above 10 MB", async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(PDF);
    const res = await upload(lonestarOwner, { name: "huge.pdf", bytes: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/larger than 10 MB/);
  });

  it("needs a session with support:write (401 anonymous, 403 viewer) and a same-origin request", async () => {
    expect((await upload(null, { name: "a.pdf", bytes: PDF })).status).toBe(401);
    expect((await upload(lonestarViewer, { name: "a.pdf", bytes: PDF })).status).toBe(403);
    const form = new FormData();
    form.append("file", new Blob([PDF]), "a.pdf");
    const noOrigin = await fetch(`${server.url}/api/files`, {
      method: "POST",
      headers: { cookie: lonestarOwner },
      body: form,
    });
    expect(noOrigin.status).toBe(403);
  });
});

describe("GET /api/files/:id", () => {
  it("is 404 for another tenant's file and for a provider-only file, which staff can read", async () => {
    const mine = (await (await upload(lonestarOwner, { name: "route.pdf", bytes: PDF })).json()) as { id: string };
    expect((await download(rhoneOwner, mine.id)).status).toBe(404);
    expect((await download(null, mine.id)).status).toBe(401);
    expect((await download(lonestarOwner, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await download(lonestarOwner, "not-a-uuid")).status).toBe(404);

    // An agent's upload for Lone Star stays provider-only until attached to a public reply.
    expect((await upload(agent, { name: "internal.pdf", bytes: PDF })).status).toBe(400);
    const staffFile = await upload(agent, { name: "internal.pdf", bytes: PDF }, { tenantId: lonestarId });
    expect(staffFile.status).toBe(201);
    const { id } = (await staffFile.json()) as { id: string };
    expect((await testOwnerPrisma().docFile.findUniqueOrThrow({ where: { id } })).providerOnly).toBe(true);
    expect((await download(lonestarOwner, id)).status).toBe(404);
    expect((await download(agent, id)).status).toBe(200);
    expect((await download(agent, mine.id)).status).toBe(200);
  });

  it("is 404 to a member whose role lacks support:read, even for their own tenant's file", async () => {
    const db = testOwnerPrisma();
    const tag = Math.random().toString(36).slice(2, 8);
    const role = await db.role.create({
      data: { tenantId: lonestarId, name: `Fleet reader ${tag}`, permissions: { fleet: ["read"] } },
    });
    const email = `fleet.reader.${tag}@example.com`;
    const user = await db.user.create({ data: { email, passwordHash: await hashPassword(DEMO_PASSWORD) } });
    const member = await db.member.create({
      data: { tenantId: lonestarId, userId: user.id, status: "active", joinedAt: new Date() },
    });
    await db.memberRole.create({ data: { memberId: member.id, roleId: role.id, tenantId: lonestarId } });
    const reader = (await httpLogin(server.url, email)).cookie;

    const shared = (await (await upload(lonestarOwner, { name: "timetable.pdf", bytes: PDF })).json()) as {
      id: string;
    };
    expect((await download(lonestarViewer, shared.id)).status).toBe(200);
    const res = await download(reader, shared.id);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe("file not found");
  });
});
