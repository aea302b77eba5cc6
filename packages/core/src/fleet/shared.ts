/**
 * Shared by the fleet services: free-text search as Prisma filters, how a person's name is shown,
 * and audited edits.
 */
import { diffFields, type Tx } from "../audit/audit";

type Condition<F extends string> = { [K in F]?: { contains: string; mode: "insensitive" } };

/**
 * `search` as a Prisma `AND` list: every whitespace-separated word must occur, case-insensitively
 * (ILIKE), in at least one of `fields`. Empty or missing search → no condition. LIKE wildcards in
 * the words are matched literally.
 */
export function searchWhere<F extends string>(
  search: string | undefined,
  fields: readonly F[],
): { OR: Condition<F>[] }[] {
  const words = (search ?? "").trim().split(/\s+/).filter(Boolean).slice(0, 8);
  return words.map((word) => {
    // Prisma passes `contains` to ILIKE as is; backslash is PostgreSQL's default LIKE escape.
    const literal = word.replace(/[\\%_]/g, "\\$&");
    return { OR: fields.map((field) => ({ [field]: { contains: literal, mode: "insensitive" } }) as Condition<F>) };
  });
}

/** "First Last". */
export function fullName(p: { firstName: string; lastName: string }): string {
  return `${p.firstName} ${p.lastName}`.trim();
}

/** The `keys` of `row`, as an audit snapshot. */
export function pick<T extends object, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = row[k];
  return out;
}

/**
 * Audits an edit as `<entityType>.updated` with the field-level difference of the two snapshots;
 * writes nothing when no field changed.
 */
export async function recordUpdate(
  tx: Tx,
  event: { tenantId: string; entityType: string; entityId: string },
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Promise<void> {
  if (Object.keys(diffFields(before, after)).length === 0) return;
  await tx.audit.record({ ...event, action: `${event.entityType}.updated`, before, after });
}
