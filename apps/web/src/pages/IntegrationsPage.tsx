import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { useSignedIn } from "../components/Guards";
import { MessagingIntegrations } from "../components/MessagingIntegrations";
import { OneTimeSecret } from "../components/OneTimeSecret";
import { ErrorAlert, MutationButton, QueryTable, StatusBadge } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/**
 * How positions reach Fleetcore: the protocol endpoints (OsmAnd / Traccar Client, Traccar
 * forwarding, the batch API), the tenant's batch API keys, and the unknown devices its own sources
 * reported, which an admin claims (registers) from here.
 */
export function IntegrationsPage() {
  const me = useSignedIn();
  const writable = can(me, "integrations", "write");
  return (
    <>
      <Endpoints />
      <MessagingIntegrations writable={writable} />
      <ApiKeys writable={writable} />
      <UnknownDevices writable={can(me, "fleet", "write")} />
    </>
  );
}

function Endpoints() {
  const origin = window.location.origin;
  const host = window.location.hostname;
  return (
    <section className="panel">
      <h1>Integrations</h1>
      <p className="muted">
        Positions land under the device whose unique id they carry; register devices on the vehicles page or claim them
        below once they have reported.
      </p>
      <dl className="facts">
        <dt>Traccar Client / OsmAnd</dt>
        <dd>
          <code>{`${origin}/ingest/osmand`}</code> or <code>{`http://${host}:5055`}</code> (device identifier = the
          device's unique id)
        </dd>
        <dt>Traccar server forwarding</dt>
        <dd>
          <code>forward.type=json</code>, <code>forward.url={`${origin}/ingest/traccar`}</code>
        </dd>
        <dt>Batch API</dt>
        <dd>
          <code>{`POST ${origin}/ingest/positions`}</code> with <code>Authorization: Bearer &lt;API key&gt;</code>, a
          JSON array or NDJSON of <code>{"{deviceId, time, latitude, longitude, speedKph?, headingDeg?, …}"}</code>
        </dd>
        <dt>GTFS-realtime</dt>
        <dd>
          <Link to="/integrations/gtfs">VehiclePositions feeds</Link> polled by the server
        </dd>
      </dl>
    </section>
  );
}

function ApiKeys({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.ingestKey.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.ingestKey.list.queryKey() });
  const revoke = useMutation(trpc.ingestKey.revoke.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const create = useMutation(
    trpc.ingestKey.create.mutationOptions({
      onSuccess: async (result) => {
        setCreated({ name: result.apiKey.name, key: result.key });
        setName("");
        await refresh();
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    create.mutate({ name });
  };
  return (
    <section className="panel">
      <h2>Batch API keys</h2>
      <QueryTable
        query={keys}
        label="API keys"
        empty="No API keys yet."
        head={
          <>
            <th>Name</th>
            <th>Key</th>
            <th>State</th>
            <th>Created</th>
            <th>Last used</th>
            {writable && <th aria-label="Actions" />}
          </>
        }
      >
        {(rows) =>
          rows.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td className="mono">{k.prefix}…</td>
              <td>
                <StatusBadge status={k.revokedAt ? "revoked" : "active"} />
              </td>
              <td>
                {formatDateTime(k.createdAt)}
                {k.createdBy && <span className="muted"> by {k.createdBy}</span>}
              </td>
              <td>{formatDateTime(k.lastUsedAt)}</td>
              {writable && (
                <td className="row-actions">
                  {!k.revokedAt && (
                    <MutationButton mutation={revoke} input={{ id: k.id }} label={`Revoke ${k.name}`}>
                      Revoke
                    </MutationButton>
                  )}
                </td>
              )}
            </tr>
          ))
        }
      </QueryTable>
      <ErrorAlert error={revoke.error} />
      {writable && (
        <>
          {created && (
            <OneTimeSecret
              id="api-key"
              label="API key"
              value={created.key}
              title={
                <>
                  <strong>API key “{created.name}” created.</strong> Send it as{" "}
                  <code>Authorization: Bearer &lt;key&gt;</code>.
                </>
              }
              warning="Copy it now: only its hash is stored, so it won’t be shown again. Revoke it if it leaks."
              onDone={() => setCreated(null)}
            />
          )}
          <form className="grid-form" onSubmit={onSubmit} aria-label="Create an API key">
            <label>
              Key name
              <input
                required
                maxLength={80}
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="Telematics bridge"
              />
            </label>
            <div className="actions">
              <button type="submit" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create API key"}
              </button>
            </div>
            <ErrorAlert error={create.error} />
          </form>
        </>
      )}
    </section>
  );
}

function UnknownDevices({ writable }: { writable: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const unknown = useQuery(trpc.device.unknown.queryOptions(undefined, { refetchInterval: 15_000 }));
  const [claiming, setClaiming] = useState<{ uniqueId: string; protocol: string } | null>(null);
  return (
    <section className="panel">
      <h2>Unknown devices</h2>
      <p className="muted">
        Devices that sent positions through this tenant's API keys or feeds without being registered. Their positions
        were not stored; claim a device to start recording it.
      </p>
      <QueryTable
        query={unknown}
        label="Unknown devices"
        empty="No unknown devices have reported."
        head={
          <>
            <th>Unique id</th>
            <th>Source</th>
            <th>First seen</th>
            <th>Last seen</th>
            <th className="num">Reports</th>
            <th>Last fix</th>
            {writable && <th aria-label="Actions" />}
          </>
        }
      >
        {(rows) =>
          rows.map((d) => (
            <tr key={d.id}>
              <td className="mono">{d.uniqueId}</td>
              <td>{d.protocol}</td>
              <td>{formatDateTime(d.firstSeenAt)}</td>
              <td>{formatDateTime(d.lastSeenAt)}</td>
              <td className="num">{d.reportCount}</td>
              <td className="mono">{describeFix(d.lastFix)}</td>
              {writable && (
                <td className="row-actions">
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Claim ${d.uniqueId}`}
                    onClick={() => setClaiming({ uniqueId: d.uniqueId, protocol: d.protocol })}
                  >
                    Claim
                  </button>
                </td>
              )}
            </tr>
          ))
        }
      </QueryTable>
      {claiming && (
        <ClaimForm
          device={claiming}
          onDone={async () => {
            setClaiming(null);
            await queryClient.invalidateQueries({ queryKey: trpc.device.unknown.queryKey() });
          }}
        />
      )}
    </section>
  );
}

function describeFix(fix: Record<string, unknown>): string {
  const { latitude, longitude } = fix;
  if (typeof latitude !== "number" || typeof longitude !== "number") return "—";
  return `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`;
}

/** Registers an unknown device under a name, optionally in a vehicle. */
function ClaimForm({
  device,
  onDone,
}: {
  device: { uniqueId: string; protocol: string };
  onDone: () => Promise<void>;
}) {
  const trpc = useTRPC();
  const vehicles = useQuery(trpc.vehicle.list.queryOptions({}));
  const [name, setName] = useState(device.uniqueId);
  const [vehicleId, setVehicleId] = useState("");
  const claim = useMutation(trpc.device.create.mutationOptions({ onSuccess: onDone }));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    claim.mutate({
      uniqueId: device.uniqueId,
      name,
      protocol: device.protocol,
      vehicleId: vehicleId || undefined,
    });
  };
  return (
    <form className="grid-form" onSubmit={onSubmit} aria-label={`Claim ${device.uniqueId}`}>
      <label>
        Device name
        <input required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Vehicle (optional)
        <select value={vehicleId} onChange={(e) => setVehicleId(e.target.value)}>
          <option value="">— none —</option>
          {vehicles.data?.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button type="submit" disabled={claim.isPending}>
          {claim.isPending ? "Claiming…" : "Claim device"}
        </button>
      </div>
      <ErrorAlert error={claim.error} />
    </form>
  );
}
