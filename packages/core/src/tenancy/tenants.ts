/**
 * Tenants: creation (with its `created` lifecycle event, atomically) and listing.
 * Lifecycle states and events follow saas-provider-tables.md §2.1.
 */
import type { PrismaClient } from "@fleetcore/db";
import type { CreateTenantRequest, Tenant } from "@fleetcore/validators";
import { ZCreateTenantRequest } from "@fleetcore/validators";
import { DomainError, describeIssues, isUniqueViolation } from "../errors";

type TenantRow = Awaited<ReturnType<PrismaClient["tenant"]["findFirstOrThrow"]>>;

function toTenant(t: TenantRow, vehicleCount: number): Tenant {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    countryCode: t.countryCode,
    defaultCurrency: t.defaultCurrency,
    timezone: t.timezone,
    status: t.status,
    createdAt: t.createdAt,
    vehicleCount,
  };
}

/** Lists tenants that are not soft-deleted, by name, each with its number of (non-deleted) vehicles. */
export async function listTenants(db: PrismaClient): Promise<Tenant[]> {
  const rows = await db.tenant.findMany({
    where: { deletedAt: null },
    orderBy: { name: "asc" },
    include: { _count: { select: { vehicles: { where: { deletedAt: null } } } } },
  });
  return rows.map((t) => toTenant(t, t._count.vehicles));
}

/**
 * Creates a tenant in `trial` status and records its `created` lifecycle event in one transaction.
 * @throws DomainError("conflict") when the slug is taken; ("invalid") when input fails validation.
 */
export async function createTenant(
  db: PrismaClient,
  input: CreateTenantRequest,
  opts: { performedByUserId?: string } = {},
): Promise<Tenant> {
  const parsed = ZCreateTenantRequest.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid", describeIssues(parsed.error.issues));
  const data = parsed.data;
  try {
    const tenant = await db.$transaction(async (tx) => {
      const created = await tx.tenant.create({ data: { ...data, createdById: opts.performedByUserId ?? null } });
      await tx.tenantLifecycleEvent.create({
        data: {
          tenantId: created.id,
          eventType: "created",
          toStatus: created.status,
          performedByUserId: opts.performedByUserId ?? null,
        },
      });
      return created;
    });
    return toTenant(tenant, 0);
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("conflict", `a tenant with slug "${data.slug}" already exists`);
    throw err;
  }
}
