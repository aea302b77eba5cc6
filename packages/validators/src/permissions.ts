import { z } from "zod";

/**
 * Tenant permission catalog. A role's `permissions` (adm_roles.permissions, JSONB as the RBAC spec
 * says) maps a resource to the actions it grants; `"*"` stands for every resource or every action.
 * Example: `{ "fleet": ["read", "write"], "audit": ["read"] }`; the owner role is `{ "*": ["*"] }`.
 */
export const PERMISSION_RESOURCES = [
  "fleet",
  "positions",
  "messages",
  "events",
  "members",
  "displays",
  "integrations",
  "audit",
  "billing",
  "settings",
  "support",
] as const;
export type PermissionResource = (typeof PERMISSION_RESOURCES)[number];
export const PERMISSION_ACTIONS = ["read", "write", "acknowledge"] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/** A permission set: resource (or "*") → actions (or ["*"]). */
export const ZPermissionSet = z.record(z.string(), z.array(z.string()));
export type PermissionSet = z.infer<typeof ZPermissionSet>;

/** True when `set` grants `action` on `resource` (wildcards included). */
export function hasPermission(set: PermissionSet, resource: PermissionResource, action: PermissionAction): boolean {
  for (const key of [resource, "*"]) {
    const actions = set[key];
    if (actions && (actions.includes(action) || actions.includes("*"))) return true;
  }
  return false;
}

/** Union of several permission sets (a member with several roles gets all their grants). */
export function mergePermissions(sets: PermissionSet[]): PermissionSet {
  const merged: Record<string, Set<string>> = {};
  for (const set of sets) {
    for (const [resource, actions] of Object.entries(set)) {
      const target = merged[resource] ?? new Set<string>();
      for (const a of actions) target.add(a);
      merged[resource] = target;
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, [...v].sort()]));
}

/** What a wall display may do: read the live picture, nothing else. */
export const DISPLAY_PERMISSIONS: PermissionSet = {
  fleet: ["read"],
  positions: ["read"],
  messages: ["read"],
  events: ["read"],
};

/** Names of the built-in tenant roles (system roles: adm_roles.tenant_id is null). */
export const TENANT_ROLE_NAMES = ["owner", "admin", "dispatcher", "viewer"] as const;
export type TenantRoleName = (typeof TENANT_ROLE_NAMES)[number];

/** Provider-side roles (adm_provider_employees.role). */
export const PROVIDER_ROLES = ["admin", "account_manager", "support_agent", "analyst"] as const;
export const ZProviderRole = z.enum(PROVIDER_ROLES);
export type ProviderRole = z.infer<typeof ZProviderRole>;
