/**
 * Route guards: who may see a page. They only decide what to render; the API enforces the same rules.
 */
import type { Me, PermissionAction, PermissionResource } from "@fleetcore/validators";
import { createContext, type ReactNode, useContext, useEffect, useRef } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { errorMessage } from "../lib/errors";
import { can, loginPath, useMe, useSwitchTenant } from "../lib/session";
import { ErrorAlert } from "./ui";

/** A signed-in person's session (`kind: "user"`). */
export type SignedInMe = Me & { kind: "user"; user: NonNullable<Me["user"]> };

const SignedInContext = createContext<SignedInMe | null>(null);

/** The session of the signed-in person; only inside {@link RequireUser}. */
export function useSignedIn(): SignedInMe {
  const me = useContext(SignedInContext);
  if (!me) throw new Error("useSignedIn outside <RequireUser>");
  return me;
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

/** Renders `children` for a signed-in person; anyone else goes to sign in (and comes back after). */
export function RequireUser({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <main className="content">
        <section className="panel" role="alert">
          <h1>Fleetcore is unreachable</h1>
          <p className="error">{errorMessage(me.error)}</p>
          <button type="button" onClick={() => me.refetch()}>
            Try again
          </button>
        </section>
      </main>
    );
  }
  if (me.data.kind === "display") return <Navigate to="/wall" replace />;
  if (me.data.kind !== "user" || !me.data.user) {
    return <Navigate to={loginPath(`${location.pathname}${location.search}`)} replace />;
  }
  const signedIn: SignedInMe = { ...me.data, kind: "user", user: me.data.user };
  return <SignedInContext.Provider value={signedIn}>{children}</SignedInContext.Provider>;
}

export function AccessDenied({ reason }: { reason?: string }) {
  return (
    <section className="panel denied" role="alert">
      <h1>Access denied</h1>
      <p>You don't have access to this page.</p>
      {reason && <p className="muted">{reason}</p>}
      <p>
        <Link to="/">Go to your start page</Link>
      </p>
    </section>
  );
}

/**
 * Renders `children` when the session has an active tenant; otherwise opens the person's first
 * organisation (tenant members) or lets them choose one. A tenant suspended for non-payment opens
 * only `/billing` (`activeTenant.billingOnly`).
 */
export function RequireTenant({ children }: { children: ReactNode }) {
  const me = useSignedIn();
  const location = useLocation();
  const switchTenant = useSwitchTenant();
  const started = useRef(false);
  const first = me.memberships.find((m) => m.tenantStatus !== "closed");
  const autoOpen = !me.activeTenant && !me.provider && me.memberships.length === 1 && first !== undefined;
  useEffect(() => {
    if (autoOpen && first && !started.current) {
      started.current = true;
      switchTenant.mutate({ tenantId: first.tenantId });
    }
  }, [autoOpen, first, switchTenant]);

  // Suspended for non-payment: billing is the one page left open (to pay).
  if (me.activeTenant?.billingOnly && location.pathname !== "/billing") return <Navigate to="/billing" replace />;
  if (me.activeTenant) return <>{children}</>;
  if (autoOpen && !switchTenant.isError)
    return <Loading label={`Opening ${first?.tenantName ?? "your organisation"}…`} />;
  return (
    <section className="panel">
      <h1>Choose an organisation</h1>
      <ErrorAlert error={switchTenant.error} />
      {me.memberships.length > 0 ? (
        <ul className="chooser">
          {me.memberships.map((m) => (
            <li key={m.tenantId}>
              <button
                type="button"
                disabled={switchTenant.isPending}
                onClick={() => switchTenant.mutate({ tenantId: m.tenantId })}
              >
                {m.tenantName}
              </button>
              <span className="muted">
                {m.roles.join(", ")}
                {m.tenantStatus !== "active" && ` · ${m.tenantStatus}`}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">You are not a member of any organisation yet.</p>
      )}
      {me.provider && (
        <p>
          <Link to="/admin/tenants">Open a tenant from Provider admin</Link>
        </p>
      )}
    </section>
  );
}

/** Renders `children` when the active tenant grants `action` on `resource`; otherwise "Access denied". */
export function RequirePermission(props: {
  resource: PermissionResource;
  action: PermissionAction;
  children: ReactNode;
}) {
  return (
    <RequireTenant>
      <PermissionCheck {...props} />
    </RequireTenant>
  );
}

function PermissionCheck({
  resource,
  action,
  children,
}: {
  resource: PermissionResource;
  action: PermissionAction;
  children: ReactNode;
}) {
  const me = useSignedIn();
  if (!can(me, resource, action)) return <AccessDenied />;
  return <>{children}</>;
}

/** Renders `children` for provider staff only (`admin`: provider admins only). */
export function RequireProvider({ admin = false, children }: { admin?: boolean; children: ReactNode }) {
  const me = useSignedIn();
  if (!me.provider || (admin && me.provider.role !== "admin")) return <AccessDenied />;
  return <>{children}</>;
}
