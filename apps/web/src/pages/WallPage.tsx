import type { Me } from "@fleetcore/validators";
import { useEffect, useState } from "react";
import { Navigate } from "react-router";
import { Loading } from "../components/Guards";
import { errorMessage } from "../lib/errors";
import { useLiveVehicles } from "../lib/live";
import { loginPath, useMe } from "../lib/session";

/**
 * The wall display (`/wall`): what a screen signed in by a display link shows, full screen and
 * read-only: the tenant, the time and the live fleet. Signed-in people with a tenant may preview it.
 */
export function WallPage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <div className="wall wall-message" role="alert">
        {errorMessage(me.error)}
      </div>
    );
  }
  if (me.data.kind === "anonymous") return <Navigate to={loginPath("/wall")} replace />;
  if (!me.data.activeTenant) return <Navigate to="/" replace />;
  return <Wall me={me.data} tenant={me.data.activeTenant} />;
}

function Wall({ me, tenant }: { me: Me; tenant: NonNullable<Me["activeTenant"]> }) {
  const vehicles = useLiveVehicles(tenant.id);
  const now = useNow();
  const list = vehicles.data ?? [];
  const byStatus = (s: string) => list.filter((v) => v.status === s).length;
  return (
    <div className="wall">
      <header className="wall-head">
        <div>
          <p className="wall-kicker">{me.display ? me.display.name : "Wall display preview"}</p>
          <h1 className="wall-title">{tenant.name}</h1>
        </div>
        <div className="wall-clock">
          <time dateTime={now.toISOString()}>
            {now.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}
          </time>
          <span>{now.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" })}</span>
        </div>
      </header>
      <section className="wall-stats" aria-label="Fleet summary">
        <Stat label="Vehicles" value={list.length} />
        <Stat label="Active" value={byStatus("active")} tone="ok" />
        <Stat label="In maintenance" value={byStatus("maintenance")} tone="warn" />
        <Stat label="Inactive" value={byStatus("inactive")} />
      </section>
      <section className="wall-fleet" aria-label="Vehicles">
        {vehicles.isPending && <p className="wall-message">Loading the fleet…</p>}
        {vehicles.isError && <p className="wall-message">{errorMessage(vehicles.error)}</p>}
        {vehicles.data && list.length === 0 && <p className="wall-message">No vehicles yet.</p>}
        <ul className="wall-grid">
          {list.map((v) => (
            <li key={v.id} className={`wall-card wall-card-${v.status}`}>
              <span className="wall-card-name">{v.name}</span>
              <span className="wall-card-plate">{v.licensePlate ?? "—"}</span>
              <span className="wall-card-meta">
                {[v.make, v.model].filter(Boolean).join(" ") || " "}
                <span className={`status status-${v.status}`}>{v.status}</span>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function Stat({ label, value, tone }: { label: string; value: number; tone?: "ok" | "warn" }) {
  return (
    <div className={`wall-stat${tone ? ` wall-stat-${tone}` : ""}`}>
      <span className="wall-stat-value">{value}</span>
      <span className="wall-stat-label">{label}</span>
    </div>
  );
}

/** The current time, updated every second. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
