/**
 * Stored files (doc_files): upload checks, storage and reads. Bytes live in the database, so backups,
 * transactions and row-level security cover them: a tenant scope sees its tenant's files that are not
 * `providerOnly`; provider scopes see all (an unknown id and an invisible one are both NOT_FOUND).
 *
 * Upload rules (OWASP File Upload Cheat Sheet: allow-list, validate the content, never trust the
 * client's Content-Type, limit the size, store under a generated id and serve as an attachment):
 * - at most {@link MAX_UPLOAD_BYTES} (10 MB) and not empty;
 * - the type is detected from the bytes with `file-type` (magic numbers): PDF, PNG, JPEG, GIF, WebP
 *   and ZIP are allowed; text has no magic number, so a file `file-type` does not recognise is
 *   accepted as text only when its name ends in .txt, .csv or .log and its bytes are valid UTF-8
 *   without NUL bytes;
 * - the file name is kept for display and downloads only, stripped of paths and control characters.
 */
import { createHash } from "node:crypto";
import type { Db } from "@fleetcore/db";
import { fileTypeFromBuffer } from "file-type";
import { DomainError } from "../errors";

/** Largest accepted upload, bytes (10 MiB). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Detected types that may be stored (MIME type as `file-type` reports it). */
export const ALLOWED_BINARY_TYPES: ReadonlySet<string> = new Set([
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/zip",
]);

/** Text extensions and the type stored for each. */
const TEXT_TYPES: Record<string, string> = {
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
};

/** Human list of what is accepted, for error messages and the upload form. */
export const ALLOWED_UPLOADS_DESCRIPTION = "PDF, PNG, JPEG, GIF, WebP, ZIP, or UTF-8 text (.txt, .csv, .log)";

/** Why an upload was refused: too big (HTTP 413), or anything else (400). */
export type UploadProblem = { kind: "too_large" | "empty" | "type_not_allowed" | "bad_name"; reason: string };

/**
 * A display-safe file name: the last path segment, without control characters or quotes, at most
 * 200 characters (keeping the extension). Null when nothing usable is left.
 */
export function sanitizeFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return null;
  if (cleaned.length <= 200) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return cleaned.slice(0, 200 - ext.length) + ext;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

function isUtf8TextWithoutNul(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks an upload against the rules of this module.
 * @returns the content type to store (detected, never the client's) and the cleaned name, or the problem
 */
export async function inspectUpload(
  bytes: Uint8Array,
  fileName: string,
): Promise<{ ok: true; contentType: string; fileName: string } | { ok: false; problem: UploadProblem }> {
  if (bytes.byteLength > MAX_UPLOAD_BYTES) {
    return { ok: false, problem: { kind: "too_large", reason: "the file is larger than 10 MB" } };
  }
  if (bytes.byteLength === 0) return { ok: false, problem: { kind: "empty", reason: "the file is empty" } };
  const name = sanitizeFileName(fileName);
  if (!name) return { ok: false, problem: { kind: "bad_name", reason: "the file needs a name" } };
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (ALLOWED_BINARY_TYPES.has(detected.mime)) return { ok: true, contentType: detected.mime, fileName: name };
    return {
      ok: false,
      problem: {
        kind: "type_not_allowed",
        reason: `${detected.mime} files are not accepted; allowed: ${ALLOWED_UPLOADS_DESCRIPTION}`,
      },
    };
  }
  const textType = TEXT_TYPES[extensionOf(name)];
  if (textType && isUtf8TextWithoutNul(bytes)) return { ok: true, contentType: textType, fileName: name };
  return {
    ok: false,
    problem: {
      kind: "type_not_allowed",
      reason: textType
        ? "text files must be valid UTF-8 without NUL bytes"
        : `the content of ${name} is not an accepted type (checked from the bytes, not the name); allowed: ${ALLOWED_UPLOADS_DESCRIPTION}`,
    },
  };
}

/** A stored file's metadata (no bytes). */
export interface StoredFile {
  id: string;
  tenantId: string | null;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  providerOnly: boolean;
  createdAt: Date;
}

/**
 * Checks and stores an upload in doc_files (SHA-256 of the content, detected type), uploaded by
 * `uploadedByUserId` into `tenantId`. `db` must allow the insert: the tenant's scope (public files
 * only) or a provider scope.
 * @param opts.providerOnly hide from the tenant until linked to a public reply (agents' uploads)
 * @throws DomainError("invalid") with {@link inspectUpload}'s reason; the `problem` property says
 *   whether it was too large (HTTP adapters answer 413 then)
 */
export async function storeUpload(
  db: Db,
  input: { tenantId: string; uploadedByUserId: string; fileName: string; bytes: Uint8Array; providerOnly?: boolean },
): Promise<StoredFile> {
  const checked = await inspectUpload(input.bytes, input.fileName);
  if (!checked.ok)
    throw Object.assign(new DomainError("invalid", checked.problem.reason), { problem: checked.problem });
  const id = crypto.randomUUID();
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const row = {
    id,
    tenantId: input.tenantId,
    providerOnly: input.providerOnly ?? false,
    fileName: checked.fileName,
    contentType: checked.contentType,
    sizeBytes: input.bytes.byteLength,
    sha256,
    createdAt: new Date(),
  };
  // createMany: no RETURNING of the bytes.
  await db.docFile.createMany({
    data: { ...row, content: new Uint8Array(input.bytes), uploadedByUserId: input.uploadedByUserId },
  });
  return row;
}

/**
 * A stored file with its bytes, if the scope of `db` may see it (row-level security decides).
 * @throws DomainError("not_found") for an unknown id or one the scope may not see
 */
export async function readStoredFile(db: Db, fileId: string): Promise<StoredFile & { content: Uint8Array }> {
  const row = await db.docFile.findFirst({ where: { id: fileId } });
  if (!row) throw new DomainError("not_found", "file not found");
  return {
    id: row.id,
    tenantId: row.tenantId,
    fileName: row.fileName,
    contentType: row.contentType,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    providerOnly: row.providerOnly,
    createdAt: row.createdAt,
    content: row.content,
  };
}
