/**
 * File upload and download (doc_files), authenticated by the session cookie like the tRPC context:
 *
 * - `POST /api/files` — `multipart/form-data` with one `file` part. Tenant users upload into their
 *   session's active tenant (support:write needed); provider staff (admins, support agents and
 *   account managers) name the tenant in a `tenantId` field before the file part or in the query
 *   (`?tenantId=`), and their uploads stay provider-only until attached to a public reply. 201 `{ id, fileName, contentType,
 *   sizeBytes, sha256 }`; 400 (with `message`) for a refused type, an empty or malformed upload;
 *   413 above 10 MB; 401 without a valid session; 403 without the right to upload. The upload is then
 *   attached by id in `ticket.create` / `ticket.reply` / `supportDesk.reply` or
 *   `crm.contracts.attachDocument`.
 * - `GET /api/files/:id` — the bytes, served inside a scoped transaction so row-level security
 *   decides: tenant users with support:read see their active tenant's non-provider-only files,
 *   provider staff all; any other id is 404 like an unknown one. Sent as an attachment with the detected type,
 *   `X-Content-Type-Options: nosniff` and a sandboxing CSP, never rendered inline.
 *
 * The checks themselves (size, type sniffed from the bytes, text rules) are @fleetcore/core's
 * `storeUpload` (through `inspectUpload`); this file is HTTP wiring only.
 */
import fastifyMultipart from "@fastify/multipart";
import {
  AuditTrail,
  DomainError,
  findProviderEmployee,
  isTenantLocked,
  MAX_UPLOAD_BYTES,
  readStoredFile,
  resolveTenantAccess,
  type SessionContext,
  type StoredFile,
  storeUpload,
  type UploadProblem,
  validateSessionToken,
} from "@fleetcore/core";
import { type DbScope, type PrismaClient, withScope } from "@fleetcore/db";
import { hasPermission } from "@fleetcore/validators";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { clientMeta, cookieJar, readSessionToken } from "./session";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Provider roles that may upload: admins and support agents (ticket attachments), admins and
 * account managers (contract documents, `crm.contracts.attachDocument`).
 */
const FILE_UPLOAD_ROLES: ReadonlySet<string> = new Set(["admin", "support_agent", "account_manager"]);

type Refusal = { status: 400 | 401 | 403 | 404 | 413; message: string };

function refuse(reply: FastifyReply, r: Refusal) {
  const error = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
  }[r.status];
  return reply.code(r.status).header("Cache-Control", "no-store").send({ error, message: r.message });
}

/** The request's signed-in person (renewing or clearing the cookie as the tRPC context does), or a refusal. */
async function signedIn(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { db: PrismaClient; production: boolean },
): Promise<{ session: SessionContext; userId: string } | Refusal> {
  const token = readSessionToken(req.cookies);
  const validated = token ? await validateSessionToken(deps.db, token) : null;
  const cookies = cookieJar(req, reply, deps.production);
  if (!token || !validated) {
    if (token) cookies.clear();
    return { status: 401, message: "Sign in to continue" };
  }
  if (validated.renewed) cookies.set(token, validated.session.expiresAt);
  const userId = validated.session.user?.id;
  if (!userId || validated.session.display) return { status: 403, message: "Wall displays cannot use files" };
  return { session: validated.session, userId };
}

/**
 * Where a person acts on files: provider staff in the provider scope (`write`: admins, support
 * agents and account managers only, into `tenantId`), everyone else in their active tenant's scope
 * (`read` needs support:read — without it every id is 404 —, `write` needs support:write; the
 * tenant must not be suspended or closed).
 */
async function fileScope(
  db: PrismaClient,
  session: SessionContext,
  userId: string,
  mode: "read" | "write",
  requestedTenantId: string | null,
): Promise<{ scope: DbScope; tenantId: string | null; provider: boolean } | Refusal> {
  const employee = await withScope(db, { kind: "user", userId }, (tx) => findProviderEmployee(tx, userId));
  if (employee) {
    if (mode === "write") {
      if (!FILE_UPLOAD_ROLES.has(employee.role)) {
        return { status: 403, message: "Only admins, support agents and account managers upload files" };
      }
      if (!requestedTenantId || !UUID.test(requestedTenantId)) {
        return { status: 400, message: "tenantId: name the tenant the file belongs to" };
      }
      const exists = await withScope(db, { kind: "provider", userId }, (tx) =>
        tx.tenant.findFirst({ where: { id: requestedTenantId, deletedAt: null }, select: { id: true } }),
      );
      if (!exists) return { status: 400, message: "tenantId: tenant not found" };
    }
    return { scope: { kind: "provider", userId }, tenantId: requestedTenantId, provider: true };
  }
  const tenantId = session.activeTenantId;
  if (!tenantId) return { status: mode === "read" ? 404 : 400, message: "Choose a tenant first" };
  if (requestedTenantId && requestedTenantId !== tenantId) {
    return { status: 400, message: "tenantId: files are uploaded into your active tenant" };
  }
  const scope: DbScope = { kind: "tenant", tenantId, userId };
  const access = await withScope(db, scope, (tx) => resolveTenantAccess(tx, userId, tenantId));
  if (!access || isTenantLocked(access.tenantStatus)) {
    return mode === "read"
      ? { status: 404, message: "file not found" }
      : { status: 403, message: "You no longer have access to this tenant" };
  }
  if (mode === "read" && !hasPermission(access.permissions, "support", "read")) {
    // Tenant files are support attachments: without support:read they are as invisible as unknown ids.
    return { status: 404, message: "file not found" };
  }
  if (mode === "write" && !hasPermission(access.permissions, "support", "write")) {
    return { status: 403, message: "Your role does not allow write on support" };
  }
  return { scope, tenantId, provider: false };
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The {@link UploadProblem} `storeUpload` attaches to its DomainError, if `err` is that refusal. */
function uploadProblemOf(err: unknown): UploadProblem | null {
  if (!(err instanceof DomainError) || err.code !== "invalid") return null;
  const problem = (err as DomainError & { problem?: UploadProblem }).problem;
  return problem ?? null;
}

function isRefusal(x: object): x is Refusal {
  return "status" in x && "message" in x;
}

/** Registers POST /api/files and GET /api/files/:id (multipart parsing is scoped to these routes). */
export async function registerFileRoutes(
  app: FastifyInstance,
  deps: { db: PrismaClient; production: boolean },
): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5, parts: 6, fieldSize: 1000 },
    });

    scope.post<{ Querystring: { tenantId?: string } }>("/api/files", async (req, reply) => {
      const who = await signedIn(req, reply, deps);
      if (isRefusal(who)) return refuse(reply, who);
      if (!req.isMultipart()) return refuse(reply, { status: 400, message: "send the file as multipart/form-data" });
      let part: Awaited<ReturnType<FastifyRequest["file"]>>;
      let bytes: Buffer;
      try {
        part = await req.file();
        if (!part) return refuse(reply, { status: 400, message: "no file in the upload" });
        bytes = await part.toBuffer();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "FST_REQ_FILE_TOO_LARGE") {
          return refuse(reply, { status: 413, message: "the file is larger than 10 MB" });
        }
        return refuse(reply, { status: 400, message: `malformed upload: ${(err as Error).message}` });
      }
      const field = part.fields.tenantId;
      const fieldValue = field && !Array.isArray(field) && "value" in field ? String(field.value) : null;
      const requestedTenantId = fieldValue ?? req.query.tenantId ?? null;
      const where = await fileScope(deps.db, who.session, who.userId, "write", requestedTenantId);
      if (isRefusal(where)) return refuse(reply, where);
      const tenantId = where.tenantId as string;

      const meta = clientMeta(req);
      let stored: StoredFile;
      try {
        stored = await withScope(deps.db, where.scope, async (db) => {
          const file = await storeUpload(db, {
            tenantId,
            uploadedByUserId: who.userId,
            fileName: part.filename,
            bytes,
            providerOnly: where.provider,
          });
          const audit = new AuditTrail(db, {
            type: where.provider ? "provider" : "user",
            userId: who.userId,
            email: who.session.user?.email ?? null,
            ipAddress: meta.ipAddress,
            userAgent: meta.userAgent,
          });
          await audit.record({
            tenantId,
            entityType: "doc_file",
            entityId: file.id,
            action: "doc_file.uploaded",
            after: {
              fileName: file.fileName,
              contentType: file.contentType,
              sizeBytes: file.sizeBytes,
              sha256: file.sha256,
            },
          });
          return file;
        });
      } catch (err) {
        const problem = uploadProblemOf(err);
        if (!problem) throw err;
        return refuse(reply, { status: problem.kind === "too_large" ? 413 : 400, message: problem.reason });
      }
      return reply.code(201).header("Cache-Control", "no-store").send({
        id: stored.id,
        fileName: stored.fileName,
        contentType: stored.contentType,
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
      });
    });

    scope.get<{ Params: { id: string } }>("/api/files/:id", async (req, reply) => {
      const who = await signedIn(req, reply, deps);
      if (isRefusal(who)) return refuse(reply, who);
      if (!UUID.test(req.params.id)) return refuse(reply, { status: 404, message: "file not found" });
      const where = await fileScope(deps.db, who.session, who.userId, "read", null);
      if (isRefusal(where)) return refuse(reply, where);
      try {
        const file = await withScope(deps.db, where.scope, (db) => readStoredFile(db, req.params.id));
        return reply
          .code(200)
          .header("Content-Type", file.contentType)
          .header("Content-Length", String(file.sizeBytes))
          .header("Content-Disposition", attachmentDisposition(file.fileName))
          .header("X-Content-Type-Options", "nosniff")
          .header("Content-Security-Policy", "default-src 'none'; sandbox")
          .header("Cache-Control", "private, no-store")
          .send(Buffer.from(file.content));
      } catch (err) {
        if (err instanceof DomainError && err.code === "not_found") {
          return refuse(reply, { status: 404, message: "file not found" });
        }
        throw err;
      }
    });
  });
}
