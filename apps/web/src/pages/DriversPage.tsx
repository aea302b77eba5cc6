/**
 * The active tenant's drivers: search and status filter, add / edit / delete, and per driver their
 * current vehicle (assign, unassign) and assignment history.
 */
import { DRIVER_STATUSES, type Driver, type DriverStatus } from "@fleetcore/validators";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { useSignedIn } from "../components/Guards";
import { ConfirmAction, ErrorAlert, MutationButton, QueryTable, StatusBadge } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";
import {
  ManageButton,
  SaveFooter,
  StatusOptions,
  StatusSearchFilters,
  useFleetForm,
  useInvalidateFleet,
  useStatusSearch,
} from "./VehiclesPage";

export function DriversPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const writable = can(me, "fleet", "write");
  const filters = useStatusSearch<DriverStatus>();
  const [managing, setManaging] = useState<string | null>(null);
  const drivers = useQuery(trpc.driver.list.queryOptions(filters.input, { placeholderData: keepPreviousData }));
  const invalidate = useInvalidateFleet();
  const remove = useMutation(
    trpc.driver.delete.mutationOptions({
      onSuccess: () => {
        setManaging(null);
        return invalidate();
      },
    }),
  );
  const managed = drivers.data?.find((d) => d.id === managing);
  return (
    <>
      <section className="panel">
        <h1>{me.activeTenant?.name} — drivers</h1>
        <StatusSearchFilters
          statuses={DRIVER_STATUSES}
          placeholder="Name, phone, email or licence"
          {...filters.props}
        />
        <QueryTable
          query={drivers}
          label="Drivers"
          empty={filters.active ? "No drivers match." : "No drivers yet."}
          head={
            <>
              <th>Name</th>
              <th>Phone</th>
              <th>Email</th>
              <th>Licence</th>
              <th>Status</th>
              <th>Vehicle</th>
              {writable && <th aria-label="Actions" />}
            </>
          }
        >
          {(rows) =>
            rows.map((d) => (
              <tr key={d.id} className={d.id === managing ? "current" : undefined}>
                <td>{d.name}</td>
                <td className="mono">{d.phone ?? "—"}</td>
                <td>{d.email ?? "—"}</td>
                <td className="mono">{d.licenseNumber ?? "—"}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>
                  {d.currentVehicle ? (
                    <Link to={`/vehicles/${d.currentVehicle.id}`}>{d.currentVehicle.name}</Link>
                  ) : (
                    "—"
                  )}
                </td>
                {writable && (
                  <td className="row-actions">
                    <ManageButton
                      subject={d.name}
                      open={managing === d.id}
                      onToggle={(open) => setManaging(open ? d.id : null)}
                    />{" "}
                    <ConfirmAction
                      mutation={remove}
                      input={{ driverId: d.id }}
                      action="Delete"
                      subject={d.name}
                      consequence={d.currentVehicle ? `They stop driving ${d.currentVehicle.name}.` : ""}
                    />
                  </td>
                )}
              </tr>
            ))
          }
        </QueryTable>
      </section>
      {managed && (
        <ManageDriver key={managed.id} driver={managed} writable={writable} onClose={() => setManaging(null)} />
      )}
      {writable && (
        <section className="panel">
          <h2>Add a driver</h2>
          <DriverForm />
        </section>
      )}
    </>
  );
}

function ManageDriver({ driver, writable, onClose }: { driver: Driver; writable: boolean; onClose: () => void }) {
  return (
    <section className="panel" aria-label={`Manage ${driver.name}`}>
      <div className="panel-head">
        <h2>{driver.name}</h2>
        <button type="button" className="button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {writable && <DriverForm driver={driver} />}
      {writable && <VehicleAssignment driver={driver} />}
      <DriverHistory driverId={driver.id} />
    </section>
  );
}

const formOf = (d?: Driver) => ({
  firstName: d?.firstName ?? "",
  lastName: d?.lastName ?? "",
  phone: d?.phone ?? "",
  email: d?.email ?? "",
  licenseNumber: d?.licenseNumber ?? "",
  status: d?.status ?? ("active" as DriverStatus),
});

/** Adds a driver, or edits `driver` (an emptied field is cleared). */
function DriverForm({ driver }: { driver?: Driver }) {
  const trpc = useTRPC();
  const { form, set, saved, onSuccess } = useFleetForm(formOf, driver);
  const create = useMutation(trpc.driver.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.driver.update.mutationOptions({ onSuccess }));
  const mutation = driver ? update : create;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const text = (s: string) => (s.trim() === "" ? undefined : s.trim());
    const fields = {
      firstName: form.firstName,
      lastName: form.lastName,
      status: form.status,
      phone: text(form.phone),
      email: text(form.email),
      licenseNumber: text(form.licenseNumber),
    };
    if (!driver) return create.mutate(fields);
    update.mutate({
      driverId: driver.id,
      ...fields,
      phone: fields.phone ?? null,
      email: fields.email ?? null,
      licenseNumber: fields.licenseNumber ?? null,
    });
  };
  return (
    <form className="grid-form" onSubmit={onSubmit} aria-label={driver ? `Edit ${driver.name}` : "Add a driver"}>
      <label>
        First name
        <input required maxLength={60} value={form.firstName} onChange={set("firstName")} />
      </label>
      <label>
        Last name
        <input required maxLength={60} value={form.lastName} onChange={set("lastName")} />
      </label>
      <label>
        Mobile phone
        <input type="tel" value={form.phone} onChange={set("phone")} placeholder="+1 512 555 0123" />
      </label>
      <label>
        Email
        <input type="email" value={form.email} onChange={set("email")} />
      </label>
      <label>
        Licence number
        <input maxLength={40} value={form.licenseNumber} onChange={set("licenseNumber")} />
      </label>
      <label>
        Status
        <select value={form.status} onChange={set("status")}>
          <StatusOptions statuses={DRIVER_STATUSES} />
        </select>
      </label>
      <SaveFooter
        mutation={mutation}
        editing={driver !== undefined}
        saved={saved}
        addLabel="Add driver"
        hint="The phone in international format, with its country code (used for WhatsApp)."
      />
    </form>
  );
}

/** The driver's current vehicle, and assigning them to another one or to none. */
function VehicleAssignment({ driver }: { driver: Driver }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateFleet();
  const vehicles = useQuery(trpc.vehicle.list.queryOptions({}));
  const [vehicleId, setVehicleId] = useState("");
  const assign = useMutation(
    trpc.driver.assign.mutationOptions({
      onSuccess: () => {
        setVehicleId("");
        return invalidate();
      },
    }),
  );
  const unassign = useMutation(trpc.driver.unassign.mutationOptions({ onSuccess: invalidate }));
  const candidates = (vehicles.data ?? []).filter((v) => v.id !== driver.currentVehicle?.id);
  return (
    <form
      className="stack-form"
      aria-label={`Assign ${driver.name} to a vehicle`}
      onSubmit={(e) => {
        e.preventDefault();
        if (vehicleId) assign.mutate({ vehicleId, driverId: driver.id });
      }}
    >
      <h3>Vehicle</h3>
      <p>
        {driver.currentVehicle ? (
          <>
            Drives <Link to={`/vehicles/${driver.currentVehicle.id}`}>{driver.currentVehicle.name}</Link>{" "}
            <MutationButton mutation={unassign} input={{ driverId: driver.id }} label={`Unassign ${driver.name}`}>
              Unassign
            </MutationButton>
          </>
        ) : (
          <span className="muted">Not assigned to a vehicle.</span>
        )}
      </p>
      {driver.status === "active" ? (
        <>
          <label>
            {driver.currentVehicle ? "Move to" : "Assign to"}
            <select required value={vehicleId} onChange={(e) => setVehicleId(e.target.value)}>
              <option value="">Choose a vehicle…</option>
              {candidates.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                  {v.currentDriver ? ` (driven by ${v.currentDriver.name})` : ""}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={assign.isPending || !vehicleId}>
            {assign.isPending ? "Assigning…" : "Assign"}
          </button>
        </>
      ) : (
        <p className="muted">Only active drivers can be assigned.</p>
      )}
      <ErrorAlert error={assign.error ?? unassign.error ?? vehicles.error} />
    </form>
  );
}

function DriverHistory({ driverId }: { driverId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.driver.history.queryOptions({ driverId }));
  return (
    <>
      <h3>History</h3>
      <QueryTable
        query={history}
        label="Assignment history"
        empty="Never assigned to a vehicle."
        head={
          <>
            <th>Vehicle</th>
            <th>From</th>
            <th>Until</th>
            <th>Notes</th>
          </>
        }
      >
        {(rows) =>
          rows.map((a) => (
            <tr key={a.id} className={a.endAt ? "past" : "current"}>
              <td>{a.vehicle.name}</td>
              <td>{formatDateTime(a.startAt)}</td>
              <td>{a.endAt ? formatDateTime(a.endAt) : "now"}</td>
              <td>{a.notes ?? ""}</td>
            </tr>
          ))
        }
      </QueryTable>
    </>
  );
}
