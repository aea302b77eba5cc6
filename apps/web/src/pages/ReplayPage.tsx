/**
 * Replay: a vehicle's (or the whole fleet's) recorded positions for any period, animated on the map
 * with play/pause, 1×–60× speed and a scrubber, plus the trip summary of the period. Data comes from
 * `replay.vehicle` (track thinned to ≤ 10k points, summary of every fix) and `replay.fleet` (last fix
 * per vehicle and time bucket). The clock runs on requestAnimationFrame; the map is redrawn at most
 * 20 times a second.
 */
import type { FleetReplay, TripSummary, VehicleHistory } from "@fleetcore/validators";
import { useQuery } from "@tanstack/react-query";
import type { Feature, FeatureCollection, LineString, Point } from "geojson";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { mapStyle } from "../components/map/basemap";
import { type GeoJSONSource, LngLatBounds, Map as MapLibreMap } from "../components/map/maplibre";
import { STATUS_COLORS } from "../components/map/status";
import { ErrorAlert } from "../components/ui";
import { fleetAt, formatDurationS, indexFleet, positionAt, REPLAY_SPEEDS, type ReplayPoint } from "../lib/replay";
import { useTRPC } from "../lib/trpc";

const HOUR_MS = 3600_000;
/** A fleet vehicle whose last point is older than this at the replay instant is drawn as offline. */
const FLEET_STALE_MS = 5 * 60_000;
const FRAME_MS = 50;
/** The replay clock, to the second. */
const clockFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** `datetime-local` value of a Date, in the browser's time zone. */
function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface Query {
  vehicleId: string;
  from: Date;
  to: Date;
}

export function ReplayPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const vehicles = useQuery(trpc.vehicle.list.queryOptions({}));
  const now = useMemo(() => new Date(), []);
  const [vehicleId, setVehicleId] = useState(params.get("vehicle") ?? "");
  const [from, setFrom] = useState(toLocalInput(new Date(now.getTime() - HOUR_MS)));
  const [to, setTo] = useState(toLocalInput(now));
  const [query, setQuery] = useState<Query | null>(null);

  const vehicleHistory = useQuery(
    trpc.replay.vehicle.queryOptions(
      { vehicleId: query?.vehicleId ?? "", from: query?.from ?? now, to: query?.to ?? now },
      { enabled: Boolean(query?.vehicleId), retry: false },
    ),
  );
  const fleetReplay = useQuery(
    trpc.replay.fleet.queryOptions(
      { from: query?.from ?? now, to: query?.to ?? now, bucketS: 15 },
      { enabled: query !== null && !query.vehicleId, retry: false },
    ),
  );
  const active = query?.vehicleId ? vehicleHistory : fleetReplay;

  const preset = (hours: number) => {
    const end = new Date();
    setFrom(toLocalInput(new Date(end.getTime() - hours * HOUR_MS)));
    setTo(toLocalInput(end));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ vehicleId, from: new Date(from), to: new Date(to) });
  };
  const names = useMemo(() => new Map((vehicles.data ?? []).map((v) => [v.id, v.name])), [vehicles.data]);

  return (
    <>
      <section className="panel">
        <h1>Replay</h1>
        <form className="grid-form" onSubmit={onSubmit} aria-label="Replay period">
          <label>
            Vehicle
            <select value={vehicleId} onChange={(e) => setVehicleId(e.target.value)}>
              <option value="">Whole fleet</option>
              {vehicles.data?.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            To
            <input type="datetime-local" required value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <div className="actions">
            <button type="button" className="button-secondary" onClick={() => preset(1)}>
              Last hour
            </button>
            <button type="button" className="button-secondary" onClick={() => preset(24)}>
              Last 24 h
            </button>
            <button type="submit" disabled={active.isFetching}>
              {active.isFetching ? "Loading…" : "Load"}
            </button>
          </div>
        </form>
        <ErrorAlert error={query ? active.error : null} />
      </section>
      {query?.vehicleId && vehicleHistory.data && (
        <Player
          key={`${query.vehicleId}${query.from.getTime()}`}
          from={query.from}
          to={query.to}
          vehicle={vehicleHistory.data}
        />
      )}
      {query && !query.vehicleId && fleetReplay.data && (
        <Player
          key={`fleet${query.from.getTime()}`}
          from={query.from}
          to={query.to}
          fleet={fleetReplay.data}
          names={names}
        />
      )}
    </>
  );
}

/**
 * One vehicle's track over [from, to) with playback and trip summary (the vehicle detail page
 * embeds it); loads `replay.vehicle`.
 */
export function VehicleTrack({ vehicleId, from, to }: { vehicleId: string; from: Date; to: Date }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.replay.vehicle.queryOptions({ vehicleId, from, to }, { retry: false }));
  if (history.isPending) return <p className="muted">Loading…</p>;
  if (history.isError) return <ErrorAlert error={history.error} />;
  return <Player key={`${vehicleId}${from.getTime()}${to.getTime()}`} from={from} to={to} vehicle={history.data} />;
}

/** The map, the playback controls and the summary of one loaded period. */
function Player({
  from,
  to,
  vehicle,
  fleet,
  names,
}: {
  from: Date;
  to: Date;
  vehicle?: VehicleHistory;
  fleet?: FleetReplay;
  names?: Map<string, string>;
}) {
  const track = vehicle?.track ?? [];
  const fleetIndex = useMemo(() => (fleet ? indexFleet(fleet.rows) : null), [fleet]);
  // Play over the data's own span when there is data, else the requested period.
  const startMs = (vehicle ? track[0]?.time : fleet?.rows[0]?.time)?.getTime() ?? from.getTime();
  const endMs = (vehicle ? track.at(-1)?.time : fleet?.rows.at(-1)?.time)?.getTime() ?? to.getTime();
  const [tMs, setTMs] = useState(startMs);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(10);
  const clock = useRef({ tMs: startMs, speed, playing });
  clock.current.speed = speed;
  clock.current.playing = playing;

  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let last = performance.now();
    let lastPaint = 0;
    const tick = (nowMs: number) => {
      const next = Math.min(endMs, clock.current.tMs + (nowMs - last) * clock.current.speed);
      last = nowMs;
      clock.current.tMs = next;
      if (nowMs - lastPaint >= FRAME_MS || next >= endMs) {
        lastPaint = nowMs;
        setTMs(next);
      }
      if (next >= endMs) setPlaying(false);
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, endMs]);

  const seek = (ms: number) => {
    clock.current.tMs = ms;
    setTMs(ms);
  };
  const togglePlay = () => {
    if (!playing && clock.current.tMs >= endMs) seek(startMs);
    setPlaying(!playing);
  };

  const here = vehicle ? positionAt(track, tMs) : null;
  const frame = fleetIndex ? fleetAt(fleetIndex, tMs, FLEET_STALE_MS) : [];
  const empty = vehicle ? track.length === 0 : (fleet?.rows.length ?? 0) === 0;

  return (
    <section className="panel replay">
      {empty ? (
        <p className="muted">No positions in this period.</p>
      ) : (
        <>
          <ReplayMap track={track} here={here} frame={frame} names={names} />
          <fieldset className="replay-controls" aria-label="Playback">
            <button type="button" onClick={togglePlay} aria-pressed={playing}>
              {playing ? "Pause" : "Play"}
            </button>
            <label>
              Speed
              <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
                {REPLAY_SPEEDS.map((s) => (
                  <option key={s} value={s}>
                    {s}×
                  </option>
                ))}
              </select>
            </label>
            <label className="replay-scrub">
              <span className="sr-only">Replay time</span>
              <input
                type="range"
                min={startMs}
                max={Math.max(endMs, startMs + 1)}
                step={1000}
                value={tMs}
                onChange={(e) => seek(Number(e.target.value))}
              />
            </label>
            <output className="mono" data-testid="replay-time">
              {clockFormat.format(new Date(tMs))}
            </output>
            {here && (
              <output className="mono">
                {here.point.speedKph !== null ? `${Math.round(here.point.speedKph)} km/h` : "—"}
              </output>
            )}
            {fleet && (
              <output className="muted">
                {frame.length} vehicles · buckets of {fleet.bucketS} s
              </output>
            )}
          </fieldset>
        </>
      )}
      {vehicle && <Summary summary={vehicle.summary} />}
    </section>
  );
}

/** Trip summary of the period (Traccar report rules, see packages/core/src/telemetry/replay.ts). */
function Summary({ summary }: { summary: TripSummary }) {
  return (
    <dl className="facts facts-inline" aria-label="Trip summary">
      <dt>Distance</dt>
      <dd>{(summary.distanceM / 1000).toFixed(1)} km</dd>
      <dt>Moving time</dt>
      <dd>{formatDurationS(summary.movingTimeS)}</dd>
      <dt>Stops (≥ 5 min)</dt>
      <dd>{summary.stops}</dd>
      <dt>Max speed</dt>
      <dd>{summary.maxSpeedKph !== null ? `${Math.round(summary.maxSpeedKph)} km/h` : "—"}</dd>
      <dt>Average speed</dt>
      <dd>{summary.avgSpeedKph !== null ? `${Math.round(summary.avgSpeedKph)} km/h` : "—"}</dd>
      <dt>Positions</dt>
      <dd>{summary.positions}</dd>
    </dl>
  );
}

const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

/**
 * A MapLibre map showing the track (travelled part emphasised) and the vehicle at the replay instant,
 * or every fleet vehicle at that instant. Fleet frames are small (vehicles with data in the period),
 * so each frame replaces the point source's data.
 */
function ReplayMap({
  track,
  here,
  frame,
  names,
}: {
  track: readonly ReplayPoint[];
  here: { point: ReplayPoint; index: number } | null;
  frame: ReturnType<typeof fleetAt>;
  names?: Map<string, string>;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    if (!container.current) return;
    const map = new MapLibreMap({ container: container.current, style: mapStyle("light"), attributionControl: false });
    mapRef.current = map;
    map.on("load", () => {
      map.addSource("replay-track", { type: "geojson", data: EMPTY });
      map.addSource("replay-done", { type: "geojson", data: EMPTY });
      map.addSource("replay-points", { type: "geojson", data: EMPTY });
      map.addLayer({
        id: "replay-track",
        type: "line",
        source: "replay-track",
        paint: { "line-color": "#94a3b8", "line-width": 3 },
      });
      map.addLayer({
        id: "replay-done",
        type: "line",
        source: "replay-done",
        paint: { "line-color": "#2563eb", "line-width": 4 },
      });
      map.addLayer({
        id: "replay-points",
        type: "circle",
        source: "replay-points",
        paint: {
          "circle-radius": 7,
          "circle-color": ["get", "color"],
          "circle-stroke-color": "#ffffff",
          "circle-stroke-width": 2,
        },
      });
      setReady(true);
    });
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, []);

  // The whole track, once, and the camera fitted to it (or to the fleet's first frame).
  const fitted = useRef(false);
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    const line: Feature<LineString> = {
      type: "Feature",
      properties: {},
      geometry: { type: "LineString", coordinates: track.map((p) => [p.longitude, p.latitude]) },
    };
    (map.getSource("replay-track") as GeoJSONSource).setData(track.length > 1 ? line : EMPTY);
    if (fitted.current) return;
    const coords = track.length > 0 ? track : frame.map((f) => f.point);
    if (coords.length === 0) return;
    const bounds = new LngLatBounds();
    for (const p of coords) bounds.extend([p.longitude, p.latitude]);
    map.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
    fitted.current = true;
  }, [ready, track, frame]);

  useEffect(() => {
    const map = mapRef.current;
    if (!ready || !map) return;
    const points: Feature<Point>[] = here
      ? [
          {
            type: "Feature",
            properties: { color: STATUS_COLORS[(here.point.speedKph ?? 0) > 3 ? "moving" : "stopped"] },
            geometry: { type: "Point", coordinates: [here.point.longitude, here.point.latitude] },
          },
        ]
      : frame.map((f) => ({
          type: "Feature",
          properties: {
            name: names?.get(f.vehicleId) ?? "",
            color: STATUS_COLORS[f.stale ? "offline" : (f.point.speedKph ?? 0) > 3 ? "moving" : "stopped"],
          },
          geometry: { type: "Point", coordinates: [f.point.longitude, f.point.latitude] },
        }));
    (map.getSource("replay-points") as GeoJSONSource).setData({ type: "FeatureCollection", features: points });
    const done: Feature<LineString> = {
      type: "Feature",
      properties: {},
      geometry: {
        type: "LineString",
        coordinates: here
          ? [
              ...track.slice(0, here.index + 1).map((p) => [p.longitude, p.latitude]),
              [here.point.longitude, here.point.latitude],
            ]
          : [],
      },
    };
    (map.getSource("replay-done") as GeoJSONSource).setData(here && here.index >= 0 ? done : EMPTY);
  }, [ready, here, frame, track, names]);

  return (
    <div
      ref={container}
      className="replay-map"
      data-testid="replay-map"
      data-points={here ? 1 : frame.length}
      data-ready={ready ? "yes" : "no"}
    />
  );
}
