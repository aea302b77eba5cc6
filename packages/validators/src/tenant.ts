import { z } from "zod";

/** Tenant lifecycle states (adm_tenants.status), as in saas-provider-tables.md §2.1. */
export const TENANT_STATUSES = ["trial", "active", "suspended", "closed"] as const;
export const ZTenantStatus = z.enum(TENANT_STATUSES);
export type TenantStatus = z.infer<typeof ZTenantStatus>;

/** URL-safe tenant handle: lowercase letters, digits and single hyphens, 3–48 characters. */
export const ZTenantSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use lowercase letters, digits and hyphens")
  .min(3)
  .max(48);

/** Input of `tenant.create`. `countryCode` is ISO 3166-1 alpha-2, `defaultCurrency` ISO 4217. */
export const ZCreateTenantRequest = z.object({
  name: z.string().trim().min(2).max(120),
  slug: ZTenantSlug,
  countryCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2 code, e.g. US"),
  defaultCurrency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "ISO 4217 code, e.g. USD"),
  /** IANA time zone, e.g. America/Chicago. */
  timezone: z.string().trim().min(1).max(64).default("UTC"),
});
export type CreateTenantRequest = z.input<typeof ZCreateTenantRequest>;

/** A tenant as the API returns it. */
export const ZTenant = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  countryCode: z.string(),
  defaultCurrency: z.string(),
  timezone: z.string(),
  status: ZTenantStatus,
  /** Positions older than this many days are removed by the retention job. */
  positionRetentionDays: z.number().int(),
  createdAt: z.date(),
  vehicleCount: z.number().int().nonnegative(),
});
export type Tenant = z.infer<typeof ZTenant>;
