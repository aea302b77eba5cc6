/**
 * The active tenant's vehicles: search and status filter, add / edit / retire, and per vehicle its
 * driver (assign, unassign) and GPS devices (bind an unbound one, register a new one, unbind).
 * The driver and device controls are shared with the vehicle detail page.
 */
import { OFFLINE_AFTER_MS } from "@fleetcore/realtime";
import type { Vehicle } from "@fleetcore/validators";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useDeferredValue, useState } from "react";
import { Link } from "react-router";
import { useSignedIn } from "../components/Guards";
import { ConfirmAction, ErrorAlert, MutationButton, QueryTable, StatusBadge } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { useLiveVehicles } from "../lib/live";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/** Statuses a person can give a vehicle (retiring is its own action). */
const EDITABLE_STATUSES = ["active", "inactive", "maintenance"] as const;
type EditableStatus = (typeof EDITABLE_STATUSES)[number];

export function VehiclesPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const tenant = me.activeTenant;
  const writable = can(me, "fleet", "write");
  const filters = useStatusSearch<EditableStatus>();
  const [managing, setManaging] = useState<string | null>(null);
  // Keeps every vehicle list live (additions from anywhere refresh it); the unfiltered list shares its cache entry.
  useLiveVehicles(tenant?.id ?? "");
  const vehicles = useQuery(
    trpc.vehicle.list.queryOptions(
      filters.input,
      // Keeps showing the previous rows while a new search loads, instead of flashing "Loading…".
      { refetchInterval: 60_000, placeholderData: keepPreviousData },
    ),
  );
  const invalidate = useInvalidateFleet();
  const retire = useMutation(
    trpc.vehicle.delete.mutationOptions({
      onSuccess: () => {
        setManaging(null);
        return invalidate();
      },
    }),
  );
  const managed = vehicles.data?.find((v) => v.id === managing);
  if (!tenant) return null;
  return (
    <>
      <section className="panel">
        <h1>{tenant.name} — vehicles</h1>
        <StatusSearchFilters
          statuses={EDITABLE_STATUSES}
          placeholder="Name, plate, VIN, make or model"
          {...filters.props}
        />
        <QueryTable
          query={vehicles}
          label="Vehicles"
          empty={filters.active ? "No vehicles match." : "No vehicles yet."}
          head={
            <>
              <th>Name</th>
              <th>Plate</th>
              <th>Make / model</th>
              <th>Year</th>
              <th>Status</th>
              <th>Driver</th>
              <th>Devices</th>
              <th>Last seen</th>
              <th className="num">Odometer (km)</th>
              {writable && <th aria-label="Actions" />}
            </>
          }
        >
          {(rows) =>
            rows.map((v) => (
              <tr key={v.id} className={v.id === managing ? "current" : undefined}>
                <td>
                  <LiveDot lastSeenAt={v.lastSeenAt} /> <Link to={`/vehicles/${v.id}`}>{v.name}</Link>
                </td>
                <td className="mono">{v.licensePlate ?? "—"}</td>
                <td>{[v.make, v.model].filter(Boolean).join(" ") || "—"}</td>
                <td>{v.year ?? "—"}</td>
                <td>
                  <StatusBadge status={v.status} />
                </td>
                <td>{v.currentDriver?.name ?? "—"}</td>
                <td className="mono">{v.devices.map((d) => d.uniqueId).join(", ") || "—"}</td>
                <td>{formatDateTime(v.lastSeenAt)}</td>
                <td className="num">{formatKm(v.odometerM)}</td>
                {writable && (
                  <td className="row-actions">
                    <ManageButton
                      subject={v.name}
                      open={managing === v.id}
                      onToggle={(open) => setManaging(open ? v.id : null)}
                    />{" "}
                    <ConfirmAction
                      mutation={retire}
                      input={{ vehicleId: v.id }}
                      action="Retire"
                      subject={v.name}
                      consequence="Its devices are unbound and its driver unassigned."
                    />
                  </td>
                )}
              </tr>
            ))
          }
        </QueryTable>
      </section>
      {writable && managed && <ManageVehicle key={managed.id} vehicle={managed} onClose={() => setManaging(null)} />}
      {writable && (
        <section className="panel">
          <h2>Add a vehicle</h2>
          <VehicleForm />
        </section>
      )}
    </>
  );
}

/** "Manage" (opens the row's panel) / "Close". */
export function ManageButton(props: { subject: string; open: boolean; onToggle: (open: boolean) => void }) {
  return (
    <button
      type="button"
      className="button-secondary"
      aria-label={`Manage ${props.subject}`}
      onClick={() => props.onToggle(!props.open)}
    >
      {props.open ? "Close" : "Manage"}
    </button>
  );
}

/** The edit form, the driver and the devices of one vehicle, under the list. */
function ManageVehicle({ vehicle, onClose }: { vehicle: Vehicle; onClose: () => void }) {
  return (
    <section className="panel" aria-label={`Manage ${vehicle.name}`}>
      <div className="panel-head">
        <h2>{vehicle.name}</h2>
        <button type="button" className="button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <VehicleForm vehicle={vehicle} />
      <div className="columns">
        <DriverAssignment vehicle={vehicle} />
        <DeviceBinding vehicle={vehicle} />
      </div>
    </section>
  );
}

/** "12 345.6": metres as kilometres, one decimal. */
export function formatKm(metres: number): string {
  return (metres / 1000).toLocaleString(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
}

/**
 * A dot: green while a device of the vehicle reported within the offline threshold the live map
 * uses (OFFLINE_AFTER_MS), grey otherwise. As of the list's last refresh.
 */
export function LiveDot({ lastSeenAt }: { lastSeenAt: Date | null }) {
  const online = lastSeenAt !== null && Date.now() - lastSeenAt.getTime() < OFFLINE_AFTER_MS;
  const label = online ? "reporting" : lastSeenAt ? "not reporting" : "never reported";
  return <span className={`live-dot${online ? " live-dot-on" : ""}`} role="img" aria-label={label} title={label} />;
}

/** Refreshes every cached vehicle, driver and device query (assignments and bindings touch all three). */
export function useInvalidateFleet() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.vehicle.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.driver.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.device.pathKey() }),
    ]);
}

/**
 * State of an add-or-edit form whose fields are `formOf(entity)`: a change handler per field,
 * `saved` after a successful save, the fields emptied again after an addition; `onSuccess`
 * (for the mutations) also refreshes the fleet queries.
 */
export function useFleetForm<E, F extends Record<string, string>>(formOf: (entity?: E) => F, entity: E | undefined) {
  const invalidate = useInvalidateFleet();
  const [form, setForm] = useState(() => formOf(entity));
  const [saved, setSaved] = useState(false);
  const set = (key: keyof F) => (e: { target: { value: string } }) => {
    setSaved(false);
    setForm((f) => ({ ...f, [key]: e.target.value }));
  };
  const onSuccess = async () => {
    if (!entity) setForm(formOf());
    setSaved(true);
    await invalidate();
  };
  return { form, set, saved, onSuccess };
}

/**
 * State of the fleet lists' filters: `input` for the list query (the search deferred while typing),
 * `props` for {@link StatusSearchFilters}, `active` when any filter is set.
 */
export function useStatusSearch<S extends string>() {
  const [status, setStatus] = useState<S | "">("");
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  return {
    input: { status: status || undefined, search: deferredSearch || undefined },
    props: { status, onStatus: setStatus, search, onSearch: setSearch },
    active: status !== "" || search.trim() !== "",
  };
}

/** One `<option>` per status. */
export function StatusOptions({ statuses }: { statuses: readonly string[] }) {
  return statuses.map((s) => (
    <option key={s} value={s}>
      {s}
    </option>
  ));
}

/** The end of an add-or-edit form: its submit button, "Saved." after an edit, and the error. */
export function SaveFooter(props: {
  mutation: { isPending: boolean; error: unknown };
  editing: boolean;
  saved: boolean;
  addLabel: string;
  hint?: string;
}) {
  const { mutation, editing } = props;
  return (
    <>
      <div className="actions">
        <button type="submit" disabled={mutation.isPending}>
          {editing
            ? mutation.isPending
              ? "Saving…"
              : "Save changes"
            : mutation.isPending
              ? "Adding…"
              : props.addLabel}
        </button>
      </div>
      {props.hint && <p className="span-all muted">{props.hint}</p>}
      {props.saved && editing && (
        <p className="success" role="status">
          Saved.
        </p>
      )}
      <ErrorAlert error={mutation.error} />
    </>
  );
}

/** The list filters of the fleet pages: a status select ("All" or one of `statuses`) and a search box. */
export function StatusSearchFilters<S extends string>(props: {
  statuses: readonly S[];
  placeholder: string;
  status: S | "";
  onStatus: (status: S | "") => void;
  search: string;
  onSearch: (search: string) => void;
}) {
  return (
    <search className="filters">
      <label>
        Status
        <select value={props.status} onChange={(e) => props.onStatus(e.target.value as S | "")}>
          <option value="">All</option>
          <StatusOptions statuses={props.statuses} />
        </select>
      </label>
      <label>
        Search
        <input
          type="search"
          value={props.search}
          onChange={(e) => props.onSearch(e.target.value)}
          placeholder={props.placeholder}
        />
      </label>
    </search>
  );
}

const formOf = (v?: Vehicle) => ({
  name: v?.name ?? "",
  licensePlate: v?.licensePlate ?? "",
  vin: v?.vin ?? "",
  make: v?.make ?? "",
  model: v?.model ?? "",
  year: v?.year?.toString() ?? "",
  speedLimitKph: v?.speedLimitKph?.toString() ?? "",
  status: (v?.status === "retired" ? "inactive" : (v?.status ?? "active")) as EditableStatus,
});

/** Adds a vehicle, or edits `vehicle` (an emptied field is cleared). */
export function VehicleForm({ vehicle }: { vehicle?: Vehicle }) {
  const trpc = useTRPC();
  const { form, set, saved, onSuccess } = useFleetForm(formOf, vehicle);
  const create = useMutation(trpc.vehicle.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.vehicle.update.mutationOptions({ onSuccess }));
  const mutation = vehicle ? update : create;
  const text = (s: string) => (s.trim() === "" ? undefined : s.trim());
  const int = (s: string) => (s.trim() === "" ? undefined : Number.parseInt(s, 10));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const fields = {
      name: form.name,
      licensePlate: text(form.licensePlate),
      vin: text(form.vin),
      make: text(form.make),
      model: text(form.model),
      year: int(form.year),
      speedLimitKph: int(form.speedLimitKph),
      status: form.status,
    };
    if (!vehicle) return create.mutate(fields);
    // Editing: an emptied optional field is cleared (null), not left as it was.
    const orNull = <T,>(v: T | undefined) => v ?? null;
    update.mutate({
      vehicleId: vehicle.id,
      ...fields,
      licensePlate: orNull(fields.licensePlate),
      vin: orNull(fields.vin),
      make: orNull(fields.make),
      model: orNull(fields.model),
      year: orNull(fields.year),
      speedLimitKph: orNull(fields.speedLimitKph),
    });
  };
  return (
    <form className="grid-form" onSubmit={onSubmit} aria-label={vehicle ? `Edit ${vehicle.name}` : "Add a vehicle"}>
      <label>
        Name
        <input required maxLength={80} value={form.name} onChange={set("name")} placeholder="Van 12" />
      </label>
      <label>
        License plate
        <input maxLength={20} value={form.licensePlate} onChange={set("licensePlate")} />
      </label>
      <label>
        VIN
        <input maxLength={17} value={form.vin} onChange={set("vin")} className="mono" />
      </label>
      <label>
        Make
        <input maxLength={60} value={form.make} onChange={set("make")} />
      </label>
      <label>
        Model
        <input maxLength={60} value={form.model} onChange={set("model")} />
      </label>
      <label>
        Year
        <input value={form.year} onChange={set("year")} inputMode="numeric" />
      </label>
      <label>
        Speed limit (km/h)
        <input value={form.speedLimitKph} onChange={set("speedLimitKph")} inputMode="numeric" />
      </label>
      <label>
        Status
        <select value={form.status} onChange={set("status")}>
          <StatusOptions statuses={EDITABLE_STATUSES} />
        </select>
      </label>
      <SaveFooter mutation={mutation} editing={vehicle !== undefined} saved={saved} addLabel="Add vehicle" />
    </form>
  );
}

/** The vehicle's current driver, and assigning another one (select) or none. */
export function DriverAssignment({ vehicle }: { vehicle: Vehicle }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateFleet();
  const drivers = useQuery(trpc.driver.list.queryOptions({ status: "active" }));
  const [driverId, setDriverId] = useState("");
  const assign = useMutation(
    trpc.driver.assign.mutationOptions({
      onSuccess: () => {
        setDriverId("");
        return invalidate();
      },
    }),
  );
  const unassign = useMutation(trpc.driver.unassign.mutationOptions({ onSuccess: invalidate }));
  const candidates = (drivers.data ?? []).filter((d) => d.id !== vehicle.currentDriver?.id);
  return (
    <div>
      <h3>Driver</h3>
      <p>
        {vehicle.currentDriver ? (
          <>
            <strong>{vehicle.currentDriver.name}</strong>{" "}
            <MutationButton
              mutation={unassign}
              input={{ vehicleId: vehicle.id }}
              label={`Unassign ${vehicle.currentDriver.name}`}
            >
              Unassign
            </MutationButton>
          </>
        ) : (
          <span className="muted">No driver assigned.</span>
        )}
      </p>
      <form
        className="stack-form"
        aria-label={`Assign a driver to ${vehicle.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (driverId) assign.mutate({ vehicleId: vehicle.id, driverId });
        }}
      >
        <label>
          {vehicle.currentDriver ? "Replace with" : "Assign"}
          <select required value={driverId} onChange={(e) => setDriverId(e.target.value)}>
            <option value="">Choose a driver…</option>
            {candidates.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.currentVehicle ? ` (now drives ${d.currentVehicle.name})` : ""}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={assign.isPending || !driverId}>
          {assign.isPending ? "Assigning…" : "Assign driver"}
        </button>
        <ErrorAlert error={assign.error ?? unassign.error ?? drivers.error} />
      </form>
    </div>
  );
}

/** The vehicle's devices: unbind one, bind an unbound one, or register a new unique id in it. */
export function DeviceBinding({ vehicle }: { vehicle: Vehicle }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateFleet();
  const devices = useQuery(trpc.device.list.queryOptions());
  const [deviceId, setDeviceId] = useState("");
  const [fresh, setFresh] = useState({ uniqueId: "", name: "" });
  const bind = useMutation(
    trpc.device.bind.mutationOptions({
      onSuccess: () => {
        setDeviceId("");
        return invalidate();
      },
    }),
  );
  const unbind = useMutation(trpc.device.unbind.mutationOptions({ onSuccess: invalidate }));
  const register = useMutation(
    trpc.device.create.mutationOptions({
      onSuccess: () => {
        setFresh({ uniqueId: "", name: "" });
        return invalidate();
      },
    }),
  );
  const unbound = (devices.data ?? []).filter((d) => d.vehicleId === null);
  return (
    <div>
      <h3>GPS devices</h3>
      {vehicle.devices.length === 0 ? (
        <p className="muted">No device in this vehicle.</p>
      ) : (
        <ul className="chooser">
          {vehicle.devices.map((d) => (
            <li key={d.id}>
              <span>
                {d.name} <span className="mono">{d.uniqueId}</span>
              </span>
              <MutationButton mutation={unbind} input={{ deviceId: d.id }} label={`Unbind ${d.uniqueId}`}>
                Unbind
              </MutationButton>
            </li>
          ))}
        </ul>
      )}
      <form
        className="stack-form"
        aria-label={`Bind a device to ${vehicle.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          if (deviceId) bind.mutate({ deviceId, vehicleId: vehicle.id });
        }}
      >
        <label>
          Unbound device
          <select required value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">{unbound.length > 0 ? "Choose a device…" : "No unbound device"}</option>
            {unbound.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.uniqueId})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={bind.isPending || !deviceId}>
          Bind device
        </button>
      </form>
      <form
        className="stack-form"
        aria-label={`Register a new device in ${vehicle.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          register.mutate({ uniqueId: fresh.uniqueId.trim(), name: fresh.name.trim(), vehicleId: vehicle.id });
        }}
      >
        <label>
          New device's unique id
          <input
            required
            maxLength={128}
            className="mono"
            value={fresh.uniqueId}
            onChange={(e) => setFresh((f) => ({ ...f, uniqueId: e.target.value }))}
            placeholder="IMEI or Traccar Client id"
          />
        </label>
        <label>
          Its name
          <input
            required
            maxLength={80}
            value={fresh.name}
            onChange={(e) => setFresh((f) => ({ ...f, name: e.target.value }))}
            placeholder={`${vehicle.name} tracker`}
          />
        </label>
        <button type="submit" disabled={register.isPending}>
          Register device
        </button>
      </form>
      <ErrorAlert error={bind.error ?? unbind.error ?? register.error ?? devices.error} />
    </div>
  );
}
