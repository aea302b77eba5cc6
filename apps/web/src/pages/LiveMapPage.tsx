/**
 * Live map (`/map`): the active tenant's vehicles on a full-width map, live over `/live`, with a side
 * list (search by name, plate or driver; status filter chips with counts). Clicking a vehicle in the
 * list selects and follows it; clicking one on the map selects it and opens its popup.
 * Lazy-loaded (App.tsx): MapLibre stays out of the main bundle.
 */
import type { VehicleMovementStatus } from "@fleetcore/realtime";
import type { Vehicle } from "@fleetcore/validators";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { FleetMap } from "../components/map/FleetMap";
import { driverNameOf, formatAgo, formatSpeed } from "../components/map/format";
import { MOVEMENT_STATUSES, STATUS_LABELS } from "../components/map/status";
import { VehiclePopup } from "../components/map/VehiclePopup";
import { ErrorAlert } from "../components/ui";
import { useLiveVehicles } from "../lib/live";
import { type TrailPoint, useLiveFleet } from "../lib/livePositions";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** Rows rendered in the side list at most; the search narrows larger fleets. */
const MAX_LIST_ROWS = 200;
const TRAIL_MINUTES = 15;

type StatusFilter = VehicleMovementStatus | "all";

/** "Bus 2" before "Bus 10". */
const byName = new Intl.Collator(undefined, { numeric: true });

/** The page (route element). */
export function LiveMapPage() {
  const me = useSignedIn();
  const tenant = me.activeTenant;
  const vehicles = useLiveVehicles(tenant?.id ?? "");
  const { fleet, version } = useLiveFleet();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nowMs = useNowMs(5000, version);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [follow, setFollow] = useState(false);
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<StatusFilter>("all");

  const byId = useMemo(() => new Map((vehicles.data ?? []).map((v) => [v.id, v])), [vehicles.data]);
  const rows = useMemo(
    () =>
      (vehicles.data ?? [])
        .map((v) => ({ vehicle: v, status: fleet.statusOf(v.id) }))
        .sort((a, b) => byName.compare(a.vehicle.name, b.vehicle.name)),
    [vehicles.data, fleet, version],
  );
  const counts = useMemo(() => {
    const c: Record<StatusFilter, number> = { all: rows.length, moving: 0, idle: 0, stopped: 0, offline: 0 };
    for (const r of rows) c[r.status]++;
    return c;
  }, [rows]);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (filter === "all" || r.status === filter) &&
        (!needle ||
          r.vehicle.name.toLowerCase().includes(needle) ||
          (r.vehicle.licensePlate ?? "").toLowerCase().includes(needle) ||
          driverNameOf(r.vehicle).toLowerCase().includes(needle)),
    );
  }, [rows, search, filter]);

  const canReadPositions = can(me, "positions", "read");
  const loadTrail = useCallback(
    async (vehicleId: string, sinceMs: number): Promise<TrailPoint[]> => {
      if (!canReadPositions) return [];
      const positions = await queryClient.fetchQuery(
        trpc.vehicle.positions.queryOptions({ vehicleId, from: new Date(sinceMs), limit: 2000 }),
      );
      return positions.map((p) => ({ lng: p.longitude, lat: p.latitude, timeMs: p.time.getTime() }));
    },
    [canReadPositions, queryClient, trpc],
  );

  const select = useCallback((vehicleId: string | null, andFollow: boolean) => {
    setSelectedId(vehicleId);
    setFollow(vehicleId !== null && andFollow);
  }, []);

  // Escape clears the selection.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") select(null, false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [select]);

  if (!tenant) return null;
  const positioned = rows.filter((r) => fleet.positions.has(r.vehicle.id)).length;
  return (
    <div className="livemap">
      <aside className="livemap-side" aria-label="Vehicle list">
        <h1>Live map</h1>
        <p className="muted livemap-summary">
          {tenant.name} · {positioned} of {rows.length} vehicles reporting ·{" "}
          <span className={fleet.connected ? "livemap-live" : "livemap-offline"}>
            {fleet.connected ? "live" : "reconnecting…"}
          </span>
        </p>
        <input
          type="search"
          className="livemap-search"
          placeholder="Search name, plate or driver"
          aria-label="Search vehicles"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <fieldset className="livemap-chips">
          <legend className="sr-only">Filter by status</legend>
          {(["all", ...MOVEMENT_STATUSES] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={`livemap-chip livemap-chip-${s}`}
              aria-pressed={filter === s}
              onClick={() => setFilter(s)}
            >
              {s === "all" ? "All" : STATUS_LABELS[s]} <span className="livemap-chip-count">{counts[s]}</span>
            </button>
          ))}
        </fieldset>
        {vehicles.isPending && <p className="muted">Loading vehicles…</p>}
        <ErrorAlert error={vehicles.error} />
        {vehicles.data && shown.length === 0 && <p className="muted">No vehicle matches.</p>}
        <ul className="livemap-list" aria-label="Vehicles" data-vehicle-count={shown.length}>
          {shown.slice(0, MAX_LIST_ROWS).map(({ vehicle, status }) => (
            <VehicleRow
              key={vehicle.id}
              vehicle={vehicle}
              status={status}
              position={fleet.positions.get(vehicle.id)}
              nowMs={nowMs}
              selected={vehicle.id === selectedId}
              onSelect={() => select(vehicle.id, true)}
            />
          ))}
        </ul>
        {shown.length > MAX_LIST_ROWS && (
          <p className="muted">{shown.length - MAX_LIST_ROWS} more — refine the search to see them.</p>
        )}
      </aside>
      <div className="livemap-map">
        <FleetMap
          fleet={fleet}
          label="Live map of the fleet"
          selectedVehicleId={selectedId}
          follow={follow}
          onSelect={(id) => select(id, false)}
          onFollowChange={setFollow}
          trailMinutes={TRAIL_MINUTES}
          loadTrail={loadTrail}
          popup={(vehicleId) => (
            <VehiclePopup
              vehicle={byId.get(vehicleId)}
              position={fleet.positions.get(vehicleId)}
              status={fleet.statusOf(vehicleId)}
              nowMs={nowMs}
              following={follow}
              onFollow={setFollow}
            />
          )}
        />
        {follow && selectedId && (
          <p className="livemap-following" role="status">
            Following {byId.get(selectedId)?.name ?? "vehicle"} ·{" "}
            <button type="button" className="button-quiet-dark" onClick={() => setFollow(false)}>
              stop
            </button>
          </p>
        )}
      </div>
    </div>
  );
}

/** One vehicle of the side list; the whole row is a button (select + follow). */
function VehicleRow({
  vehicle,
  status,
  position,
  nowMs,
  selected,
  onSelect,
}: {
  vehicle: Vehicle;
  status: VehicleMovementStatus;
  position: { time: string; speedKph: number | null; latitude: number; longitude: number } | undefined;
  nowMs: number;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <li data-vehicle-id={vehicle.id} data-status={status}>
      <button
        type="button"
        className="livemap-row"
        aria-current={selected ? "true" : undefined}
        onClick={onSelect}
        data-lat={position?.latitude}
        data-lng={position?.longitude}
      >
        <span className="livemap-row-main">
          <span className="livemap-row-name">{vehicle.name}</span>
          <span className={`fc-status fc-status-${status}`}>{STATUS_LABELS[status]}</span>
        </span>
        <span className="livemap-row-meta">
          {vehicle.licensePlate ?? "—"} · {driverNameOf(vehicle)}
        </span>
        <span className="livemap-row-meta">
          {position ? `${formatSpeed(position.speedKph)} · ${formatAgo(position.time, nowMs)}` : "no position yet"}
        </span>
      </button>
    </li>
  );
}

/** The clock for "… ago" labels, ms since epoch: re-read every `everyMs` and whenever `signal` changes. */
function useNowMs(everyMs: number, signal: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return useMemo(() => Date.now(), [tick, signal]);
}
