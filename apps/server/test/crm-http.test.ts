/**
 * CRM contract documents over real HTTP: an account manager uploads a PDF of several megabytes through
 * `POST /api/files` (multipart, not the tRPC body), attaches it with `crm.contracts.attachDocument`
 * and downloads it intact from `GET /api/files/:id`; a non-PDF cannot be attached (400) and the
 * contract's tenant cannot download the provider-only file (404). tRPC bodies keep Fastify's 1 MiB
 * default limit (413 above it).
 */
import { disconnectAll } from "@fleetcore/db";
import { testOwnerPrisma } from "@fleetcore/db/test-context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
let accountManager: string;
let tenantOwner: string;
let lonestarId: string;

beforeAll(async () => {
  server = await startTestServer();
  accountManager = (await httpLogin(server.url, "am@fleetcore.demo")).cookie;
  tenantOwner = (await httpLogin(server.url, "owner@lonestar.demo")).cookie;
  lonestarId = (await testOwnerPrisma().tenant.findUniqueOrThrow({ where: { slug: "lone-star-transit" } })).id;
});

afterAll(async () => {
  await server?.app.close();
  await disconnectAll();
});

/** A PDF of `bytes` bytes: a valid header, filler in a comment, a trailer. */
function pdfOfSize(bytes: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n%");
  const tail = Buffer.from("\ntrailer<<>>\n%%EOF\n");
  return Buffer.concat([head, Buffer.alloc(bytes - head.length - tail.length, 0x41), tail]);
}

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

async function upload(cookie: string, tenantId: string, name: string, bytes: Uint8Array): Promise<string> {
  const form = new FormData();
  form.append("tenantId", tenantId);
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const res = await fetch(`${server.url}/api/files`, {
    method: "POST",
    headers: { origin: server.url, cookie },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** `crm.contracts.attachDocument` as a raw HTTP call, to see the status code. */
const attach = (cookie: string, contractId: string, fileId: string) =>
  fetch(`${server.url}/trpc/crm.contracts.attachDocument`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url, cookie },
    body: JSON.stringify({ json: { contractId, fileId } }),
  });

describe("contract documents over HTTP", () => {
  it("uploads a 3 MB PDF through /api/files, attaches it and downloads it intact; the tenant cannot", async () => {
    const api = trpcClient(server.url, accountManager);
    const contract = await api.crm.contracts.create.mutate({
      tenantId: lonestarId,
      planName: `Documents ${Math.random().toString(36).slice(2, 7)}`,
      effectiveDate: new Date("2026-01-01T00:00:00Z"),
      expiryDate: new Date("2026-12-31T00:00:00Z"),
    });
    const pdf = pdfOfSize(3 * 1024 * 1024);
    const fileId = await upload(accountManager, lonestarId, "signed contract.pdf", pdf);

    const attached = await attach(accountManager, contract.id, fileId);
    expect(attached.status).toBe(200);
    const detail = await api.crm.contracts.get.query({ contractId: contract.id });
    expect(detail.document).toEqual({ fileId, fileName: "signed contract.pdf", sizeBytes: pdf.length });

    const res = await fetch(`${server.url}/api/files/${fileId}`, { headers: { cookie: accountManager } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);

    // Provider-only: the contract's own tenant gets 404, as for an unknown id.
    expect((await fetch(`${server.url}/api/files/${fileId}`, { headers: { cookie: tenantOwner } })).status).toBe(404);
  });

  it("refuses to attach a file that is not a PDF (400)", async () => {
    const api = trpcClient(server.url, accountManager);
    const contract = await api.crm.contracts.create.mutate({
      tenantId: lonestarId,
      planName: `Not a PDF ${Math.random().toString(36).slice(2, 7)}`,
      effectiveDate: new Date("2026-01-01T00:00:00Z"),
      expiryDate: new Date("2026-12-31T00:00:00Z"),
    });
    const fileId = await upload(accountManager, lonestarId, "scan.pdf", PNG);
    const res = await attach(accountManager, contract.id, fileId);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/must be a PDF; this file is image\/png/);
    expect((await api.crm.contracts.get.query({ contractId: contract.id })).document).toBeNull();
  });

  it("refuses a tRPC body over Fastify's default 1 MiB limit with 413", async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ json: { email: "x@example.com", password: "x".repeat(1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
  });
});
