import { useQuery } from "@tanstack/react-query";
import { NavLink } from "react-router";
import { useTRPC } from "../../lib/trpc";

/** Second-level navigation of the provider pages, with the platform's storage health. */
export function AdminNav() {
  return (
    <div className="subnav-bar">
      <nav className="subnav" aria-label="Provider admin">
        <NavLink to="/admin/tenants">Tenants</NavLink>
        <NavLink to="/admin/portfolio">Portfolio</NavLink>
        <NavLink to="/admin/health/profiles">Health profiles</NavLink>
        <NavLink to="/admin/support">Support</NavLink>
        <NavLink to="/admin/billing">Billing</NavLink>
        <NavLink to="/admin/crm/leads">Leads</NavLink>
        <NavLink to="/admin/crm/pipeline">Pipeline</NavLink>
        <NavLink to="/admin/crm/forecast">Forecast</NavLink>
        <NavLink to="/admin/crm/contracts">Contracts</NavLink>
        <NavLink to="/admin/explorer">Explorer</NavLink>
        <NavLink to="/admin/audit">Provider audit</NavLink>
      </nav>
      <SystemBadge />
    </div>
  );
}

/** TimescaleDB status, so provider staff see at a glance that storage is healthy. */
function SystemBadge() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (status.isError) return <span className="badge badge-bad">database unreachable</span>;
  if (!status.data) return <span className="badge">…</span>;
  const ts = status.data.timescale;
  return (
    <span className={`badge ${ts.version ? "badge-ok" : "badge-bad"}`} title={`license: ${ts.license ?? "n/a"}`}>
      {ts.version ? `TimescaleDB ${ts.version}` : "TimescaleDB missing"}
    </span>
  );
}
