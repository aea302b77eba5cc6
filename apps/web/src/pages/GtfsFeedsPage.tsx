import type { GtfsFeed, GtfsFeedTestResult } from "@fleetcore/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useSignedIn } from "../components/Guards";
import { ConfirmAction, ErrorAlert, QueryTable, StatusBadge } from "../components/ui";
import { formatDateTime } from "../lib/format";
import { can } from "../lib/session";
import { useTRPC } from "../lib/trpc";

/**
 * GTFS-realtime VehiclePositions feeds the platform polls for this tenant: their status (last
 * success, last error, what the last poll stored), and for integrations writers create, edit,
 * delete and a one-off "test" fetch that stores nothing.
 */
export function GtfsFeedsPage() {
  const me = useSignedIn();
  const trpc = useTRPC();
  const writable = can(me, "integrations", "write");
  // The poller updates the status columns in the background.
  const feeds = useQuery({ ...trpc.gtfsFeed.list.queryOptions(), refetchInterval: 10_000 });
  const [editing, setEditing] = useState<GtfsFeed | null>(null);
  const [tested, setTested] = useState<{ name: string; result: GtfsFeedTestResult } | null>(null);
  const test = useMutation(trpc.gtfsFeed.test.mutationOptions());
  const runTest = (feed: GtfsFeed) =>
    test.mutate({ id: feed.id }, { onSuccess: (result) => setTested({ name: feed.name, result }) });
  return (
    <>
      <section className="panel">
        <h1>GTFS-realtime feeds</h1>
        <p className="muted">
          Transit agencies publish their vehicles’ positions as GTFS-realtime VehiclePositions feeds. Each vehicle in a
          feed is matched to a device of {me.activeTenant?.name} whose unique id is the feed’s prefix followed by the
          vehicle id; other vehicles appear as unknown devices.
        </p>
        <QueryTable
          query={feeds}
          label="GTFS-realtime feeds"
          empty="No feeds yet."
          head={
            <>
              <th>Feed</th>
              <th>State</th>
              <th className="num">Every</th>
              <th>Last success</th>
              <th>Last error</th>
              <th className="num" title="Stored / refused / unknown vehicles in the last poll that brought new data">
                Last poll
              </th>
              {writable && <th aria-label="Actions" />}
            </>
          }
        >
          {(rows) =>
            rows.map((f) => (
              <FeedRow
                key={f.id}
                feed={f}
                writable={writable}
                testing={test.isPending && test.variables && "id" in test.variables && test.variables.id === f.id}
                onTest={() => runTest(f)}
                onEdit={() => setEditing(f)}
              />
            ))
          }
        </QueryTable>
        <ErrorAlert error={test.error} />
      </section>
      {tested && <TestResultPanel name={tested.name} result={tested.result} onDone={() => setTested(null)} />}
      {writable && <FeedForm key={editing?.id ?? "new"} feed={editing} onDone={() => setEditing(null)} />}
    </>
  );
}

function FeedRow({
  feed,
  writable,
  testing,
  onTest,
  onEdit,
}: {
  feed: GtfsFeed;
  writable: boolean;
  testing: boolean | undefined;
  onTest: () => void;
  onEdit: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.gtfsFeed.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.gtfsFeed.list.queryKey() }),
    }),
  );
  const state = !feed.enabled ? "inactive" : feed.lastError ? "failing" : "active";
  return (
    <tr>
      <td>
        {feed.name}
        <div className="muted mono" title={feed.url}>
          {shortUrl(feed.url)}
        </div>
        {feed.deviceIdPrefix && <div className="muted">device ids: {feed.deviceIdPrefix}…</div>}
      </td>
      <td>
        <StatusBadge status={state} />
      </td>
      <td className="num">{feed.pollIntervalS} s</td>
      <td>
        {formatDateTime(feed.lastSuccessAt)}
        {feed.lastFeedTime && <div className="muted">feed time {formatDateTime(feed.lastFeedTime)}</div>}
      </td>
      <td>{feed.lastError ? <span className="error">{feed.lastError}</span> : "—"}</td>
      <td className="num nowrap">
        {feed.lastSuccessAt ? `${feed.lastAccepted} / ${feed.lastRejected} / ${feed.lastUnknown}` : "—"}
      </td>
      {writable && (
        <td className="row-actions">
          <button
            type="button"
            className="button-secondary"
            aria-label={`Test ${feed.name}`}
            disabled={testing}
            onClick={onTest}
          >
            {testing ? "Testing…" : "Test feed"}
          </button>
          <button type="button" className="button-secondary" aria-label={`Edit ${feed.name}`} onClick={onEdit}>
            Edit
          </button>
          <ConfirmAction
            mutation={remove}
            input={{ id: feed.id }}
            action="Delete"
            subject={feed.name}
            consequence="Polling stops; its positions stay."
          />
        </td>
      )}
    </tr>
  );
}

/** Host and path, without the query (it often carries an API key). */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return url;
  }
}

function TestResultPanel({ name, result, onDone }: { name: string; result: GtfsFeedTestResult; onDone: () => void }) {
  return (
    <section className="panel" role="status" aria-label="Feed test result">
      <h2>Test of {name}</h2>
      {result.error ? (
        <p className="error">The feed could not be read: {result.error}</p>
      ) : (
        <>
          <p>
            {result.entities} entities, {result.vehiclePositions} vehicle positions, {result.rejected} refused;{" "}
            <strong>{result.matchedDevices}</strong> match registered devices. Feed time:{" "}
            {formatDateTime(result.feedTime)}. Nothing was stored.
          </p>
          {result.sampleDeviceIds.length > 0 && (
            <p className="muted">
              First device ids: <span className="mono">{result.sampleDeviceIds.join(", ")}</span>
            </p>
          )}
          {result.sampleRejections.length > 0 && (
            <ul className="muted">
              {result.sampleRejections.map((r) => (
                <li key={`${r.id}:${r.reason}`}>
                  <span className="mono">{r.id}</span>: {r.reason}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <button type="button" className="button-secondary" onClick={onDone}>
        Close
      </button>
    </section>
  );
}

/** `Name: value` lines → headers; throws with the line number of a malformed line. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`Headers, line ${i + 1}: write it as "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return headers;
}

/** Create (no `feed`) or edit a feed; header values are never shown, only replaced. */
function FeedForm({ feed, onDone }: { feed: GtfsFeed | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(feed?.name ?? "");
  const [url, setUrl] = useState(feed?.url ?? "");
  const [pollIntervalS, setPollIntervalS] = useState(String(feed?.pollIntervalS ?? 30));
  const [deviceIdPrefix, setDeviceIdPrefix] = useState(feed?.deviceIdPrefix ?? "");
  const [enabled, setEnabled] = useState(feed?.enabled ?? true);
  // Editing keeps the stored headers unless the person chooses to replace them.
  const [replaceHeaders, setReplaceHeaders] = useState(!feed);
  const [headersText, setHeadersText] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [tested, setTested] = useState<GtfsFeedTestResult | null>(null);
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.gtfsFeed.list.queryKey() });
    onDone();
    if (!feed) {
      setName("");
      setUrl("");
      setHeadersText("");
      setTested(null);
    }
  };
  const create = useMutation(trpc.gtfsFeed.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.gtfsFeed.update.mutationOptions({ onSuccess: done }));
  const test = useMutation(trpc.gtfsFeed.test.mutationOptions({ onSuccess: setTested }));
  const pending = create.isPending || update.isPending;

  const headers = (): Record<string, string> | undefined => (replaceHeaders ? parseHeaders(headersText) : undefined);
  const withParsed = (fn: () => void) => {
    setFormError(null);
    try {
      fn();
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    withParsed(() => {
      const fields = {
        name,
        url,
        pollIntervalS: Number.parseInt(pollIntervalS, 10),
        deviceIdPrefix,
        enabled,
        headers: headers(),
      };
      if (feed) update.mutate({ id: feed.id, ...fields });
      else create.mutate(fields);
    });
  };
  const onTest = () =>
    withParsed(() => {
      setTested(null);
      // An edited feed whose headers are kept is tested as saved (its header values stay on the server).
      if (feed && !replaceHeaders && url === feed.url && deviceIdPrefix === feed.deviceIdPrefix) {
        test.mutate({ id: feed.id });
      } else test.mutate({ url, deviceIdPrefix, headers: headers() ?? {} });
    });

  return (
    <section className="panel">
      <h2>{feed ? `Edit ${feed.name}` : "Add a feed"}</h2>
      <form className="grid-form" onSubmit={onSubmit} aria-label={feed ? "Edit feed" : "Add a feed"}>
        <label>
          Name
          <input
            required
            maxLength={80}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="CapMetro"
          />
        </label>
        <label>
          Feed URL
          <input
            required
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://…/VehiclePositions.pb"
          />
        </label>
        <label>
          Poll every (seconds)
          <input
            required
            type="number"
            min={5}
            max={3600}
            value={pollIntervalS}
            onChange={(e) => setPollIntervalS(e.target.value)}
          />
        </label>
        <label>
          Device id prefix
          <input
            maxLength={40}
            value={deviceIdPrefix}
            onChange={(e) => setDeviceIdPrefix(e.target.value)}
            placeholder="capmetro-"
          />
        </label>
        <label>
          <span>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Polling enabled
          </span>
        </label>
        {feed && (
          <label>
            <span>
              <input type="checkbox" checked={replaceHeaders} onChange={(e) => setReplaceHeaders(e.target.checked)} />{" "}
              Replace request headers
              {feed.headerNames.length > 0 && ` (now: ${feed.headerNames.join(", ")})`}
            </span>
          </label>
        )}
        {replaceHeaders && (
          <label>
            Request headers (optional, one “Name: value” per line)
            <textarea
              rows={2}
              value={headersText}
              onChange={(e) => setHeadersText(e.target.value)}
              placeholder="X-Api-Key: …"
            />
          </label>
        )}
        <div className="actions">
          <button type="submit" disabled={pending}>
            {pending ? "Saving…" : feed ? "Save" : "Add feed"}
          </button>
          <button type="button" className="button-secondary" disabled={!url || test.isPending} onClick={onTest}>
            {test.isPending ? "Testing…" : "Test feed"}
          </button>
          {feed && (
            <button type="button" className="button-secondary" onClick={onDone}>
              Cancel
            </button>
          )}
        </div>
        {formError && (
          <p className="error" role="alert">
            {formError}
          </p>
        )}
        <ErrorAlert error={create.error ?? update.error ?? test.error} />
      </form>
      {tested && <TestResultPanel name={name || url} result={tested} onDone={() => setTested(null)} />}
    </section>
  );
}
