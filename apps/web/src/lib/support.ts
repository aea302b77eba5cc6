/**
 * Support desk helpers for the pages: uploading attachments (POST /api/files, answered with the file
 * id that ticket.create / ticket.reply / supportDesk.reply / crm.contracts.attachDocument attach),
 * their download URL, and words for statuses, SLA times and durations.
 */
import type { TicketStatusName } from "@fleetcore/validators";

/** What POST /api/files answers. */
export interface UploadedFile {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

/** Accepted uploads, for `<input type="file" accept>` (the server checks the bytes anyway). */
export const UPLOAD_ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.zip,.txt,.csv,.log";

/**
 * Uploads files one by one (same-origin, session cookie).
 * @param tenantId required for provider staff: the ticket's tenant
 * @throws Error with the server's reason (e.g. "the file is larger than 10 MB") naming the file
 */
export async function uploadFiles(files: File[], tenantId?: string): Promise<UploadedFile[]> {
  const uploaded: UploadedFile[] = [];
  for (const file of files) {
    const form = new FormData();
    if (tenantId) form.append("tenantId", tenantId);
    form.append("file", file, file.name);
    const res = await fetch("/api/files", { method: "POST", body: form, credentials: "include" });
    const body = (await res.json().catch(() => ({}))) as Partial<UploadedFile> & { message?: string };
    if (!res.ok || !body.id) throw new Error(`${file.name}: ${body.message ?? `upload failed (HTTP ${res.status})`}`);
    uploaded.push(body as UploadedFile);
  }
  return uploaded;
}

/** Where a stored file downloads from (GET /api/files/:id, sent as an attachment). */
export function fileUrl(fileId: string): string {
  return `/api/files/${fileId}`;
}

/** Status names as people say them. */
export const STATUS_LABELS: Record<TicketStatusName, string> = {
  open: "Open",
  in_progress: "In progress",
  awaiting_customer: "Awaiting customer",
  resolved: "Resolved",
  closed: "Closed",
};

/** "12 KB", "3.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A duration in minutes as "45 min", "3 h 20 min", "2 d 4 h". */
export function formatMinutes(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const d = Math.floor(m / (24 * 60));
  const h = Math.floor((m % (24 * 60)) / 60);
  return `${d} d${h ? ` ${h} h` : ""}`;
}

/** How long ago `d` was, roughly ("5 min", "3 h", "2 d"). */
export function age(d: Date, now = new Date()): string {
  return formatMinutes((now.getTime() - d.getTime()) / 60_000);
}
