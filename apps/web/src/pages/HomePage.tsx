import { Navigate } from "react-router";
import { RequireTenant, useSignedIn } from "../components/Guards";
import { can } from "../lib/session";

/** `/`: provider staff without an open tenant go to Provider admin; everyone else to their first page. */
export function HomePage() {
  const me = useSignedIn();
  if (me.provider && !me.activeTenant) return <Navigate to="/admin/tenants" replace />;
  return (
    <RequireTenant>
      <TenantHome />
    </RequireTenant>
  );
}

function TenantHome() {
  const me = useSignedIn();
  const first = can(me, "fleet", "read")
    ? "/map"
    : can(me, "members", "read")
      ? "/members"
      : can(me, "displays", "read")
        ? "/displays"
        : can(me, "audit", "read")
          ? "/audit"
          : "/account";
  return <Navigate to={first} replace />;
}
