/**
 * The frame around every signed-in page: brand, tenant switcher, navigation by permission, the
 * signed-in person and "Sign out". The page area is re-mounted whenever the user or active tenant
 * changes, so no page keeps state from the previous one.
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { errorMessage } from "../lib/errors";
import { can, useSignOut, useSwitchTenant } from "../lib/session";
import { useTRPC } from "../lib/trpc";
import { useSignedIn } from "./Guards";
import { NotificationBell } from "./NotificationBell";

/**
 * Reports each page the person opens (`usage.page`, product usage for the provider's adoption
 * metrics: which features a tenant uses). Fire and forget: a failed report changes nothing.
 */
function usePageViews(): void {
  const trpc = useTRPC();
  const { pathname } = useLocation();
  const { mutate } = useMutation(trpc.usage.page.mutationOptions({ retry: false }));
  useEffect(() => {
    mutate({ path: pathname });
  }, [pathname, mutate]);
}

export function AppShell() {
  const me = useSignedIn();
  usePageViews();
  const { signOut, isPending: signingOut } = useSignOut();
  const tenant = me.activeTenant;
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Fleetcore
        </NavLink>
        <TenantSwitcher />
        <nav aria-label="Main">
          {can(me, "fleet", "read") && <NavLink to="/map">Live map</NavLink>}
          {can(me, "events", "read") && <NavLink to="/feed">Feed</NavLink>}
          {can(me, "fleet", "read") && <NavLink to="/vehicles">Vehicles</NavLink>}
          {can(me, "fleet", "read") && <NavLink to="/drivers">Drivers</NavLink>}
          {can(me, "fleet", "read") && <NavLink to="/geofences">Geofences</NavLink>}
          {can(me, "positions", "read") && <NavLink to="/replay">Replay</NavLink>}
          {can(me, "messages", "read") && <NavLink to="/analytics/messages">Message analytics</NavLink>}
          {can(me, "members", "read") && <NavLink to="/members">Members</NavLink>}
          {can(me, "displays", "read") && <NavLink to="/displays">Displays</NavLink>}
          {can(me, "integrations", "read") && <NavLink to="/integrations">Integrations</NavLink>}
          {can(me, "integrations", "read") && <NavLink to="/integrations/gtfs">GTFS feeds</NavLink>}
          {can(me, "settings", "read") && <NavLink to="/settings/messaging">Messaging settings</NavLink>}
          {can(me, "audit", "read") && <NavLink to="/audit">Audit log</NavLink>}
          {can(me, "support", "read") && <NavLink to="/support">Support</NavLink>}
          {can(me, "billing", "read") && <NavLink to="/billing">Billing</NavLink>}
          <NavLink to="/account">Account</NavLink>
          {me.provider && <NavLink to="/admin/tenants">Provider admin</NavLink>}
        </nav>
        <div className="topbar-end">
          <NotificationBell />
          <span className="who" title={me.user.email}>
            {me.user.fullName ?? me.user.email}
          </span>
          <button type="button" className="button-quiet" onClick={signOut} disabled={signingOut}>
            Sign out
          </button>
        </div>
      </header>
      {tenant?.access === "provider" && (
        <p className="provider-banner" role="note">
          You are viewing <strong>{tenant.name}</strong> as provider staff; changes are recorded in its audit log.
        </p>
      )}
      <main className="content">
        <Outlet key={`${me.user.id}:${tenant?.id ?? "-"}`} />
      </main>
    </div>
  );
}

/** The organisations the person belongs to (and, for provider staff, the tenant they opened). */
function TenantSwitcher() {
  const me = useSignedIn();
  const switchTenant = useSwitchTenant();
  const active = me.activeTenant;
  const options = me.memberships.map((m) => ({ id: m.tenantId, name: m.tenantName }));
  if (active && !options.some((o) => o.id === active.id))
    options.push({ id: active.id, name: `${active.name} · provider` });
  if (options.length === 0) return null;
  return (
    <div className="switcher">
      <label>
        <span className="sr-only">Organisation</span>
        <select
          value={active?.id ?? ""}
          disabled={switchTenant.isPending}
          onChange={(e) => {
            if (e.target.value) switchTenant.mutate({ tenantId: e.target.value });
          }}
        >
          {!active && <option value="">Choose an organisation…</option>}
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      {switchTenant.isError && (
        <span className="switcher-error" role="alert">
          {errorMessage(switchTenant.error)}
        </span>
      )}
    </div>
  );
}
