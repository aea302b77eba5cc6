/**
 * The feed's filter bar. The filters live in the URL (lib/liveFeed.ts `filtersFromParams`), so a
 * view can be shared and survives a reload.
 */
import type { EventSeverity } from "@fleetcore/realtime";
import { EVENT_SEVERITIES } from "@fleetcore/validators";
import { useId } from "react";
import { type FeedFilters, hasFilters } from "../../lib/liveFeed";
import { eventTypeLabel, type FleetNames, KNOWN_EVENT_TYPES, SEVERITY_LABELS } from "./shared";

export function FeedFilterBar({
  filters,
  onChange,
  names,
  seenTypes,
  messagesAllowed,
}: {
  filters: FeedFilters;
  onChange: (filters: FeedFilters) => void;
  names: FleetNames;
  /** Event types in the loaded items (Samsara and Traccar bring their own). */
  seenTypes: readonly string[];
  messagesAllowed: boolean;
}) {
  const id = useId();
  const kind = filters.kinds?.length === 1 ? filters.kinds[0] : "";
  const type = filters.types?.[0] ?? "";
  const typeOptions = [...new Set([...KNOWN_EVENT_TYPES, ...seenTypes, ...(filters.types ?? [])])].sort();
  const eventOnly =
    (filters.types?.length ?? 0) > 0 ||
    (filters.severities?.length ?? 0) > 0 ||
    filters.vehicleId !== undefined ||
    filters.unacknowledgedOnly === true;
  const set = (patch: Partial<FeedFilters>) => {
    const next: FeedFilters = { ...filters, ...patch };
    // Messages have no type, severity, vehicle or acknowledgement: picking one of those while
    // "Messages only" is on (or the other way round) would show nothing, so the older choice yields.
    const eventFilterPicked =
      Boolean(patch.types?.length) ||
      Boolean(patch.severities?.length) ||
      patch.vehicleId !== undefined ||
      patch.unacknowledgedOnly === true;
    if (eventFilterPicked && next.kinds?.length === 1 && next.kinds[0] === "message") delete next.kinds;
    if (patch.kinds?.length === 1 && patch.kinds[0] === "message") {
      delete next.types;
      delete next.severities;
      delete next.vehicleId;
      delete next.unacknowledgedOnly;
    }
    for (const k of Object.keys(next) as (keyof FeedFilters)[]) {
      const v = next[k];
      if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) delete next[k];
    }
    onChange(next);
  };
  const toggleSeverity = (s: EventSeverity) => {
    const cur = new Set(filters.severities ?? []);
    if (cur.has(s)) cur.delete(s);
    else cur.add(s);
    set({ severities: EVENT_SEVERITIES.filter((x) => cur.has(x)) });
  };
  return (
    <form className="filters feed-filters" aria-label="Feed filters" onSubmit={(e) => e.preventDefault()}>
      {messagesAllowed && (
        <label>
          Show
          <select
            value={kind}
            onChange={(e) =>
              set({ kinds: e.target.value === "" ? undefined : [e.target.value as "event" | "message"] })
            }
          >
            <option value="">Events and messages</option>
            <option value="event">Events only</option>
            <option value="message">Messages only</option>
          </select>
        </label>
      )}
      <label>
        Event type
        <select value={type} onChange={(e) => set({ types: e.target.value ? [e.target.value] : undefined })}>
          <option value="">All types</option>
          {typeOptions.map((t) => (
            <option key={t} value={t}>
              {eventTypeLabel(t)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="feed-severities" aria-labelledby={`${id}-sev`}>
        <legend id={`${id}-sev`}>Severity</legend>
        {EVENT_SEVERITIES.map((s) => (
          <label key={s} className={`feed-chip feed-chip-${s}`}>
            <input
              type="checkbox"
              checked={filters.severities?.includes(s) ?? false}
              onChange={() => toggleSeverity(s)}
            />
            {SEVERITY_LABELS[s]}
          </label>
        ))}
      </fieldset>
      <label>
        Vehicle
        <select value={filters.vehicleId ?? ""} onChange={(e) => set({ vehicleId: e.target.value || undefined })}>
          <option value="">All vehicles</option>
          {names.vehicleList.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
          {filters.vehicleId && !names.vehicles.has(filters.vehicleId) && (
            <option value={filters.vehicleId}>Selected vehicle</option>
          )}
        </select>
      </label>
      <label>
        Driver
        <select value={filters.driverId ?? ""} onChange={(e) => set({ driverId: e.target.value || undefined })}>
          <option value="">All drivers</option>
          {names.driverList.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
          {filters.driverId && !names.drivers.has(filters.driverId) && (
            <option value={filters.driverId}>Selected driver</option>
          )}
        </select>
      </label>
      <label className="feed-check">
        <input
          type="checkbox"
          checked={filters.unacknowledgedOnly ?? false}
          onChange={(e) => set({ unacknowledgedOnly: e.target.checked || undefined })}
        />
        Unacknowledged only
      </label>
      {hasFilters(filters) && (
        <button type="button" className="button-quiet-dark" onClick={() => onChange({})}>
          Clear filters
        </button>
      )}
      {messagesAllowed && eventOnly && kind !== "event" && (
        <p className="hint feed-filter-note">Type, severity, vehicle and acknowledgement filters show events only.</p>
      )}
    </form>
  );
}
