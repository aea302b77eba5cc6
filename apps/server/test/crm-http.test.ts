/**
 * CRM over real HTTP: a contract document of several megabytes goes through `crm.contracts.
 * uploadDocument` (base64 in the tRPC body, over Fastify's 1 MiB default, hence the tRPC routes'
 * larger body limit) and comes back intact; a body over that limit is refused.
 */
import { disconnectAll } from "@fleetcore/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPC_BODY_LIMIT_BYTES } from "../src/app";
import { httpLogin, startTestServer, trpcClient } from "./helpers";

let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = (await httpLogin(server.url, "admin@fleetcore.demo")).cookie;
});

afterAll(async () => {
  await server?.app.close();
  await disconnectAll();
});

/** A PDF of about `bytes` bytes: a valid header, filler in a comment, a trailer. */
function pdfOfSize(bytes: number): Buffer {
  const head = Buffer.from("%PDF-1.4\n%");
  const tail = Buffer.from("\ntrailer<<>>\n%%EOF\n");
  return Buffer.concat([head, Buffer.alloc(bytes - head.length - tail.length, 0x41), tail]);
}

describe("contract documents over HTTP", () => {
  it("uploads and downloads a 3 MB PDF through tRPC", async () => {
    const api = trpcClient(server.url, admin);
    const [contract] = await api.crm.contracts.list.query({});
    expect(contract).toBeDefined();
    const pdf = pdfOfSize(3 * 1024 * 1024);
    await api.crm.contracts.uploadDocument.mutate({
      contractId: contract?.id ?? "",
      fileName: "contract.pdf",
      contentBase64: pdf.toString("base64"),
    });
    const back = await api.crm.contracts.downloadDocument.query({ contractId: contract?.id ?? "" });
    expect(back).toMatchObject({ fileName: "contract.pdf", contentType: "application/pdf", sizeBytes: pdf.length });
    expect(Buffer.from(back.contentBase64, "base64").equals(pdf)).toBe(true);
  });

  it("refuses a tRPC body over the limit with 413", async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ json: { email: "x@example.com", password: "x".repeat(TRPC_BODY_LIMIT_BYTES) } }),
    });
    expect(res.status).toBe(413);
  });
});
