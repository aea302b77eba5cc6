/**
 * The wall display (`/wall`): what a screen signed in by a display link shows, read from across a
 * room. A full-screen dark live map, large KPI tiles (vehicles moving / idle / stopped / offline,
 * positions per minute, ingest lag), the tenant, the time, the vehicles and a ticker of the latest
 * events and unread driver messages (components/WallTicker.tsx), no interaction needed.
 * It reconnects by itself (Socket.IO, plus back-off retries in connectLiveFleet; the session query
 * is retried too) and says so in a banner whenever the feed is stale. Signed-in people with a tenant
 * may preview it.
 */
import type { VehicleMovementStatus } from "@fleetcore/realtime";
import type { Me } from "@fleetcore/validators";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Navigate } from "react-router";
import { Loading } from "../components/Guards";
import { formatAgo, formatSpeed } from "../components/map/format";
import { MOVEMENT_STATUSES, STATUS_LABELS } from "../components/map/status";
import { WallTicker } from "../components/WallTicker";
import { errorMessage } from "../lib/errors";
import { useLiveVehicles } from "../lib/live";
import { type LiveFleet, useLiveFleet } from "../lib/livePositions";
import { loginPath, useMe } from "../lib/session";

/** MapLibre is ~1 MB: the wall loads it on its own, after the tiles are up. */
const FleetMap = lazy(() => import("../components/map/FleetMap"));

/** A connection lost for longer than this is announced, ms (short blips during reconnects are not). */
const DISCONNECTED_GRACE_MS = 5000;
/** Silence (no message) for longer than this while vehicles are reporting is announced, ms. */
const SILENT_AFTER_MS = 60_000;
/** A median ingest lag above this is announced, seconds. */
const LAGGING_AFTER_S = 120;
/** Keeps the fleet clear of the panels drawn over the map (title, vehicle list, KPI tiles, ticker), px. */
const WALL_FIT_PADDING = { top: 180, right: 440, bottom: 330, left: 80 };
/** Vehicles listed beside the map; the KPI tiles count them all. */
const MAX_LISTED = 14;

/** Route element: the session decides between the wall, sign-in, and an error that retries itself. */
export function WallPage() {
  const me = useMe();
  // A kiosk has nobody to press "retry": try again every 15 s while the server is unreachable.
  useEffect(() => {
    if (!me.isError) return;
    const timer = setInterval(() => void me.refetch(), 15_000);
    return () => clearInterval(timer);
  }, [me.isError, me.refetch]);
  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <div className="wallmap wallmap-message" role="alert">
        {errorMessage(me.error)} — retrying…
      </div>
    );
  }
  if (me.data.kind === "anonymous") return <Navigate to={loginPath("/wall")} replace />;
  if (!me.data.activeTenant) return <Navigate to="/" replace />;
  return <Wall me={me.data} tenant={me.data.activeTenant} />;
}

function Wall({ me, tenant }: { me: Me; tenant: NonNullable<Me["activeTenant"]> }) {
  const vehicles = useLiveVehicles(tenant.id);
  const { fleet, version } = useLiveFleet({ renderIntervalMs: 1000 });
  const now = useNow();
  const nowMs = now.getTime();
  const [mountedAtMs] = useState(() => Date.now());
  const list = vehicles.data ?? [];
  const vehicleNames = useMemo(() => new Map((vehicles.data ?? []).map((v) => [v.id, v.name])), [vehicles.data]);
  const rows = useMemo(
    () =>
      (vehicles.data ?? [])
        .map((v) => ({ vehicle: v, status: fleet.statusOf(v.id) }))
        .sort((a, b) => statusRank(a.status) - statusRank(b.status) || a.vehicle.name.localeCompare(b.vehicle.name)),
    [vehicles.data, fleet, version],
  );
  const counts: Record<VehicleMovementStatus, number> = { moving: 0, idle: 0, stopped: 0, offline: 0 };
  for (const r of rows) counts[r.status]++;
  const stats = fleet.stats();
  const banner = staleReason(fleet, nowMs, mountedAtMs, counts.offline < rows.length, stats.ingestLagMedianS);
  return (
    <div className="wallmap" data-stale={banner ? "true" : "false"}>
      <div className="wallmap-map">
        <Suspense fallback={null}>
          <FleetMap
            fleet={fleet}
            label="Fleet map"
            theme="dark"
            interactive={false}
            autoFit="periodic"
            fitPadding={WALL_FIT_PADDING}
          />
        </Suspense>
      </div>
      <header className="wallmap-head">
        <div>
          <p className="wallmap-kicker">{me.display ? me.display.name : "Wall display preview"}</p>
          <h1 className="wallmap-title">{tenant.name}</h1>
        </div>
        <div className="wallmap-clock">
          <time dateTime={now.toISOString()}>
            {now.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}
          </time>
          <span>{now.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long" })}</span>
        </div>
      </header>
      {banner && (
        <p className="wallmap-stale" role="alert">
          {banner}
        </p>
      )}
      <dl className="wallmap-kpis" aria-label="Fleet summary">
        {MOVEMENT_STATUSES.map((s) => (
          <Kpi key={s} id={s} label={STATUS_LABELS[s]} value={String(counts[s])} tone={s} />
        ))}
        <Kpi id="positions-per-minute" label="Positions / min" value={String(stats.perMinute)} />
        <Kpi
          id="ingest-lag"
          label="Ingest lag (median, 1 min)"
          value={stats.ingestLagMedianS === null ? "—" : `${formatLagS(stats.ingestLagMedianS)} s`}
          tone={stats.ingestLagMedianS !== null && stats.ingestLagMedianS > LAGGING_AFTER_S ? "offline" : undefined}
        />
      </dl>
      <WallTicker me={me} vehicleNames={vehicleNames} />
      <section className="wallmap-fleet" aria-label="Vehicles">
        {vehicles.isPending && <p className="wallmap-note">Loading the fleet…</p>}
        {vehicles.isError && <p className="wallmap-note">{errorMessage(vehicles.error)}</p>}
        {vehicles.data && list.length === 0 && <p className="wallmap-note">No vehicles yet.</p>}
        <ul>
          {rows.slice(0, MAX_LISTED).map(({ vehicle, status }) => {
            const p = fleet.positions.get(vehicle.id);
            return (
              <li key={vehicle.id} className={`wallmap-vehicle wallmap-vehicle-${status}`} data-status={status}>
                <span className="wallmap-vehicle-name">{vehicle.name}</span>
                <span className="wallmap-vehicle-meta">
                  {p ? `${formatSpeed(p.speedKph)} · ${formatAgo(p.time, nowMs)}` : "no position yet"}
                </span>
              </li>
            );
          })}
        </ul>
        {rows.length > MAX_LISTED && <p className="wallmap-note">+ {rows.length - MAX_LISTED} more on the map</p>}
      </section>
    </div>
  );
}

/** One KPI tile (a `<dl>` entry: the label names the number for screen readers). */
function Kpi({ id, label, value, tone }: { id: string; label: string; value: string; tone?: VehicleMovementStatus }) {
  return (
    <div className={`wallmap-kpi${tone ? ` wallmap-kpi-${tone}` : ""}`} data-kpi={id}>
      <dt className="wallmap-kpi-label">{label}</dt>
      <dd className="wallmap-kpi-value">{value}</dd>
    </div>
  );
}

/**
 * Why the feed is stale, or null while it is fine: disconnected for over 5 s; connected but silent
 * for over a minute while some vehicle is not offline (a parked, offline fleet is legitimately
 * quiet); or positions arriving over 2 minutes late (median ingest lag).
 */
function staleReason(
  fleet: LiveFleet,
  nowMs: number,
  mountedAtMs: number,
  anyVehicleReporting: boolean,
  ingestLagMedianS: number | null,
): string | null {
  if (!fleet.connected) {
    const downSinceMs = fleet.disconnectedAtMs ?? mountedAtMs;
    if (nowMs - downSinceMs > DISCONNECTED_GRACE_MS) {
      return `Live feed disconnected ${formatAgo(new Date(downSinceMs).toISOString(), nowMs)} — reconnecting… positions shown may be out of date.`;
    }
    return null;
  }
  const last = fleet.lastMessageAtMs;
  if (anyVehicleReporting && last !== null && nowMs - last > SILENT_AFTER_MS) {
    return `No live data since ${formatAgo(new Date(last).toISOString(), nowMs)} — positions shown may be out of date.`;
  }
  if (ingestLagMedianS !== null && ingestLagMedianS > LAGGING_AFTER_S) {
    return `Positions are arriving ${formatLagS(ingestLagMedianS)} s late.`;
  }
  return null;
}

/** 0.43 → "0.4", 12.6 → "13". */
function formatLagS(lagS: number): string {
  return lagS < 10 ? lagS.toFixed(1) : String(Math.round(lagS));
}

function statusRank(status: VehicleMovementStatus): number {
  return MOVEMENT_STATUSES.indexOf(status);
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
