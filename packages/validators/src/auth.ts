import { z } from "zod";
import { ZPermissionSet, ZProviderRole } from "./permissions";
import { ZTenantStatus } from "./tenant";

/** An email address, trimmed and lower-cased (adm_users.email is stored lower-case). */
export const ZEmail = z.string().trim().toLowerCase().pipe(z.email("enter a valid email address").max(254));

/**
 * A new password: 10–256 characters (NIST SP 800-63B §5.1.1.2: at least 8, allow long passphrases,
 * no composition rules).
 */
export const ZNewPassword = z.string().min(10, "use at least 10 characters").max(256, "use at most 256 characters");

/** Input of `auth.login`. */
export const ZLoginRequest = z.object({
  email: ZEmail,
  password: z.string().min(1, "enter your password").max(256),
});
export type LoginRequest = z.input<typeof ZLoginRequest>;

/** A tenant the signed-in user belongs to, for the tenant switcher. */
export const ZMembershipSummary = z.object({
  tenantId: z.uuid(),
  tenantName: z.string(),
  tenantSlug: z.string(),
  tenantStatus: ZTenantStatus,
  roles: z.array(z.string()),
});
export type MembershipSummary = z.infer<typeof ZMembershipSummary>;

/**
 * Who the caller is (`auth.me`, also returned by login, switchTenant and invitation.accept).
 * `kind`: "anonymous", "user" (a person) or "display" (a wall-display session, read-only).
 * `activeTenant.access` says how the tenant is reached: "member" or "provider" (staff visiting).
 */
export const ZMe = z.object({
  kind: z.enum(["anonymous", "user", "display"]),
  user: z.object({ id: z.uuid(), email: z.string(), fullName: z.string().nullable() }).nullable(),
  display: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  provider: z.object({ role: ZProviderRole, title: z.string().nullable() }).nullable(),
  activeTenant: z
    .object({
      id: z.uuid(),
      name: z.string(),
      slug: z.string(),
      status: ZTenantStatus,
      access: z.enum(["member", "provider", "display"]),
      roles: z.array(z.string()),
      permissions: ZPermissionSet,
      /**
       * The tenant is suspended for non-payment and this person (an owner or admin) may use billing
       * only, to pay; everything else answers FORBIDDEN until the invoice is paid.
       */
      billingOnly: z.boolean(),
    })
    .nullable(),
  memberships: z.array(ZMembershipSummary),
});
export type Me = z.infer<typeof ZMe>;

/** Input of `auth.switchTenant`. */
export const ZSwitchTenantRequest = z.object({ tenantId: z.uuid() });

/** Input of `auth.changePassword`. */
export const ZChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: ZNewPassword,
});

/** Input of `auth.requestPasswordReset`. */
export const ZRequestPasswordResetRequest = z.object({ email: ZEmail });

/** Input of `auth.resetPassword`: the token from the emailed link and the new password. */
export const ZResetPasswordRequest = z.object({
  token: z.string().min(20).max(200),
  newPassword: ZNewPassword,
});

/** One of the signed-in user's sessions (`auth.sessions`). `id` is the token's SHA-256, not the token. */
export const ZSessionSummary = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.date(),
  lastSeenAt: z.date(),
  expiresAt: z.date(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SessionSummary = z.infer<typeof ZSessionSummary>;

/** Input of `auth.revokeSession`. */
export const ZRevokeSessionRequest = z.object({ sessionId: z.string().min(1).max(128) });
