import { useQuery } from "@tanstack/react-query";
import { NavLink, Route, Routes } from "react-router";
import { useTRPC } from "./lib/trpc";
import { NotFoundPage } from "./pages/NotFoundPage";
import { TenantPage } from "./pages/TenantPage";
import { TenantsPage } from "./pages/TenantsPage";

export function App() {
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Fleetcore
        </NavLink>
        <nav>
          <NavLink to="/" end>
            Tenants
          </NavLink>
        </nav>
        <SystemBadge />
      </header>
      <main className="content">
        <Routes>
          <Route path="/" element={<TenantsPage />} />
          <Route path="/tenants/:tenantId" element={<TenantPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </div>
  );
}

/** TimescaleDB status in the top bar, so an operator sees at a glance that storage is healthy. */
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
