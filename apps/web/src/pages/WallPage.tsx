import type { Me } from "@fleetcore/validators";
import { useEffect, useState } from "react";
import { Navigate } from "react-router";
import { Loading } from "../components/Guards";
import { errorMessage } from "../lib/errors";
import { useLiveVehicles } from "../lib/live";
import { movementOf, useLivePositions } from "../lib/livePositions";
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
  const live = useLivePositions();
  const now = useNow();
  const list = vehicles.data ?? [];
  const movement = list.map((v) => movementOf(live.byVehicle.get(v.id), now.getTime()));
  const count = (m: string) => movement.filter((x) => x === m).length;
  const stale =
    !live.connected ||
    (live.lastMessageAt !== null && now.getTime() - live.lastMessageAt > 60_000 && count("moving") > 0);
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
      {stale && (
        <p className="wall-stale" role="alert">
          Live feed interrupted — reconnecting… positions shown may be out of date.
        </p>
      )}
      <section className="wall-stats" aria-label="Fleet summary">
        <Stat label="Moving" value={count("moving")} tone="ok" />
        <Stat label="Stopped" value={count("stopped")} />
        <Stat label="Offline" value={count("offline")} tone="warn" />
        <Stat label="Positions / min" value={live.perMinute} />
      </section>
      <section className="wall-fleet" aria-label="Vehicles">
        {vehicles.isPending && <p className="wall-message">Loading the fleet…</p>}
        {vehicles.isError && <p className="wall-message">{errorMessage(vehicles.error)}</p>}
        {vehicles.data && list.length === 0 && <p className="wall-message">No vehicles yet.</p>}
        <ul className="wall-grid">
          {list.map((v, i) => {
            const position = live.byVehicle.get(v.id);
            const state = movement[i] ?? "offline";
            return (
              <li key={v.id} className={`wall-card wall-card-${v.status}`}>
                <span className="wall-card-name">{v.name}</span>
                <span className="wall-card-plate">{v.licensePlate ?? "—"}</span>
                <span className="wall-card-meta">
                  {position
                    ? `${Math.round(position.speedKph ?? 0)} km/h · ${ago(position.time, now)}`
                    : "no position yet"}
                  <span className={`status status-${state}`}>{state}</span>
                </span>
              </li>
            );
          })}
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

/** "12 s ago", "3 min ago", "2 h ago". */
function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
