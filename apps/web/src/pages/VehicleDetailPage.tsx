/**
 * One vehicle (`/vehicles/:vehicleId`): its details, devices, current driver and assignment history,
 * and its track over a chosen period on a map, with playback and the trip summary (`VehicleTrack`
 * from the replay page).
 */
import type { Vehicle } from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Loading, useSignedIn } from "../components/Guards";
import { QueryTable, StatusBadge } from "../components/ui";
import { errorCode, errorMessage } from "../lib/errors";
import { formatDateTime, localDateTimeInputValue } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";
import { DeviceBinding, DriverAssignment, formatKm, LiveDot, VehicleForm } from "./VehiclesPage";

/** The track map (MapLibre) loads with its own chunk. */
const VehicleTrack = lazy(() => import("./ReplayPage").then((m) => ({ default: m.VehicleTrack })));

export function VehicleDetailPage() {
  const { vehicleId = "" } = useParams();
  const me = useSignedIn();
  const trpc = useTRPC();
  const writable = can(me, "fleet", "write");
  const vehicle = useQuery(trpc.vehicle.get.queryOptions({ vehicleId }, { retry: false }));
  const [editing, setEditing] = useState(false);

  if (vehicle.isPending) return <Loading />;
  if (vehicle.isError) {
    return (
      <section className="panel">
        <h1>Vehicle</h1>
        <p className="error" role="alert">
          {errorCode(vehicle.error) === "NOT_FOUND" ? "This vehicle does not exist." : errorMessage(vehicle.error)}
        </p>
        <Link to="/vehicles">Back to vehicles</Link>
      </section>
    );
  }
  const v = vehicle.data;
  return (
    <>
      <p className="crumbs">
        <Link to="/vehicles">Vehicles</Link> / {v.name}
      </p>
      <section className="panel">
        <div className="panel-head">
          <h1>
            <LiveDot lastSeenAt={v.lastSeenAt} /> {v.name} <StatusBadge status={v.status} />
          </h1>
          {writable && (
            <button type="button" className="button-secondary" onClick={() => setEditing((e) => !e)}>
              {editing ? "Close" : "Edit"}
            </button>
          )}
        </div>
        {editing && writable ? <VehicleForm vehicle={v} /> : <VehicleFacts vehicle={v} />}
      </section>
      <div className="columns">
        <section className="panel">
          {writable ? (
            <DriverAssignment vehicle={v} />
          ) : (
            <>
              <h2>Driver</h2>
              <p>{v.currentDriver?.name ?? <span className="muted">No driver assigned.</span>}</p>
            </>
          )}
        </section>
        <section className="panel">
          {writable ? (
            <DeviceBinding vehicle={v} />
          ) : (
            <>
              <h2>GPS devices</h2>
              <p className="mono">{v.devices.map((d) => d.uniqueId).join(", ") || "—"}</p>
            </>
          )}
        </section>
      </div>
      <AssignmentHistory vehicleId={v.id} />
      {can(me, "positions", "read") && <Track vehicleId={v.id} />}
    </>
  );
}

function VehicleFacts({ vehicle: v }: { vehicle: Vehicle }) {
  return (
    <dl className="facts facts-inline">
      <dt>Plate</dt>
      <dd className="mono">{v.licensePlate ?? "—"}</dd>
      <dt>VIN</dt>
      <dd className="mono">{v.vin ?? "—"}</dd>
      <dt>Make / model</dt>
      <dd>{[v.make, v.model].filter(Boolean).join(" ") || "—"}</dd>
      <dt>Year</dt>
      <dd>{v.year ?? "—"}</dd>
      <dt>Speed limit</dt>
      <dd>{v.speedLimitKph ? `${v.speedLimitKph} km/h` : "—"}</dd>
      <dt>Odometer</dt>
      <dd>{formatKm(v.odometerM)} km</dd>
      <dt>Last seen</dt>
      <dd>{formatDateTime(v.lastSeenAt)}</dd>
      <dt>Driver</dt>
      <dd>{v.currentDriver?.name ?? "—"}</dd>
      <dt>Added</dt>
      <dd>{formatDateTime(v.createdAt)}</dd>
    </dl>
  );
}

function AssignmentHistory({ vehicleId }: { vehicleId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.vehicle.assignments.queryOptions({ vehicleId }));
  return (
    <section className="panel">
      <h2>Driver history</h2>
      <QueryTable
        query={history}
        label="Driver history"
        empty="No driver has been assigned yet."
        head={
          <>
            <th>Driver</th>
            <th>From</th>
            <th>Until</th>
            <th>Notes</th>
            <th>Assigned by</th>
          </>
        }
      >
        {(rows) =>
          rows.map((a) => (
            <tr key={a.id} className={a.endAt ? "past" : "current"}>
              <td>{a.driver.name}</td>
              <td>{formatDateTime(a.startAt)}</td>
              <td>{a.endAt ? formatDateTime(a.endAt) : "now"}</td>
              <td>{a.notes ?? ""}</td>
              <td>{a.createdBy ?? "—"}</td>
            </tr>
          ))
        }
      </QueryTable>
    </section>
  );
}

const HOUR_MS = 60 * 60 * 1000;
const PERIODS = { "1h": HOUR_MS, "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS } as const;
type Period = keyof typeof PERIODS | "custom";

/** The vehicle's track over a chosen period: map, playback and trip summary. */
function Track({ vehicleId }: { vehicleId: string }) {
  const [period, setPeriod] = useState<Period>("24h");
  const [custom, setCustom] = useState(() => ({
    from: localDateTimeInputValue(new Date(Date.now() - 24 * HOUR_MS)),
    to: localDateTimeInputValue(new Date()),
  }));
  // A preset period ends "now" as of when it was chosen (or refreshed), so the query key stays stable.
  const [now, setNow] = useState(() => Date.now());
  const range = useMemo(() => {
    if (period !== "custom") return { from: new Date(now - PERIODS[period]), to: new Date(now) };
    return { from: new Date(custom.from), to: new Date(custom.to) };
  }, [period, custom, now]);
  const valid = !Number.isNaN(range.from.getTime()) && !Number.isNaN(range.to.getTime()) && range.from < range.to;
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Track</h2>
        {period !== "custom" && (
          <button type="button" className="button-secondary" onClick={() => setNow(Date.now())}>
            Refresh
          </button>
        )}
      </div>
      <search className="filters" aria-label="Track period">
        <label>
          Period
          <select
            value={period}
            onChange={(e) => {
              setPeriod(e.target.value as Period);
              setNow(Date.now());
            }}
          >
            <option value="1h">Last hour</option>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="custom">Custom…</option>
          </select>
        </label>
        {period === "custom" && (
          <>
            <label>
              From
              <input
                type="datetime-local"
                value={custom.from}
                onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                value={custom.to}
                onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))}
              />
            </label>
          </>
        )}
      </search>
      {!valid && <p className="error">Choose a start before the end.</p>}
      {valid && (
        <Suspense fallback={<p className="muted">Loading the map…</p>}>
          <VehicleTrack vehicleId={vehicleId} from={range.from} to={range.to} />
        </Suspense>
      )}
      <p>
        <Link to={`/replay?vehicle=${vehicleId}`}>Open in replay</Link>
      </p>
    </section>
  );
}
