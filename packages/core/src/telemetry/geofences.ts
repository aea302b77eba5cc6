/**
 * Geofences: their shapes (a circle, or a GeoJSON Polygon with holes), validation, point-in-shape
 * tests and {@link GeofenceIndex}, an in-memory spatial index that answers "which of this tenant's
 * geofences contain this point?" with one grid-cell lookup and exact tests of the few candidates —
 * cheap enough to run on every committed fix (the event rules in ./eventRules.ts).
 *
 * Coordinates are WGS 84 degrees. Circles are exact on the sphere (haversine); polygons are tested
 * in the plane of longitude/latitude (see {@link geofenceContains}). Shapes that cross the
 * antimeridian (±180°) or reach a pole are refused by {@link validateGeofenceShape}.
 */
import { EARTH_RADIUS_M, haversineM } from "../ingest/geo";

/**
 * A geofence's area.
 * - `circle`: centre in degrees, `radiusM` in metres (0 < radiusM ≤ {@link GEOFENCE_MAX_RADIUS_M}).
 * - `polygon`: the `coordinates` of a GeoJSON Polygon (RFC 7946 §3.1.6): linear rings of
 *   `[longitude, latitude]` positions, each closed (first position = last) with at least 4
 *   positions; the first ring is the outer boundary, the others are holes. Ring winding is not
 *   required (RFC 7946 asks for counter-clockwise outer rings but tells parsers not to reject others).
 */
export type GeofenceShape =
  | { kind: "circle"; latitude: number; longitude: number; radiusM: number }
  | { kind: "polygon"; coordinates: [number, number][][] };

/** A tenant's geofence as the rules engine needs it. */
export interface GeofenceDef {
  id: string;
  tenantId: string;
  name: string;
  shape: GeofenceShape;
  /** Speed limit inside the geofence, km/h (> 0), overriding the vehicle's; null: none. */
  speedLimitKph: number | null;
}

/** A latitude/longitude bounding box, degrees, inclusive; never crosses the antimeridian. */
export interface GeoBounds {
  minLatitude: number;
  maxLatitude: number;
  minLongitude: number;
  maxLongitude: number;
}

/** Largest circle radius accepted, metres (100 km: a region, not a site, beyond that). */
export const GEOFENCE_MAX_RADIUS_M = 100_000;
/** Most positions accepted in one polygon, all rings together (bounds the cost of one test). */
export const GEOFENCE_MAX_POSITIONS = 10_000;
/**
 * Default grid cell of {@link GeofenceIndex}, degrees (≈ 1.1 km of latitude, 0.96 km of longitude at
 * 30° N), sized to site geofences (depots, yards, customers: 50 m–1 km). Measured with 1,000 such
 * geofences over Austin and the CapMetrics fixes (apps/bench/src/geofences.ts): a lookup costs
 * ≈ 200 ns with 0.05° cells, ≈ 100 ns with 0.02°, ≈ 70 ns with 0.01°, ≈ 60 ns with 0.005°.
 */
export const GEOFENCE_GRID_CELL_DEG = 0.01;

const RAD = Math.PI / 180;
const BOUNDS_PAD_DEG = 1e-9;
const DEG = 180 / Math.PI;

const isLatitude = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= -90 && v <= 90;
const isLongitude = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= -180 && v <= 180;

/**
 * Half the longitude span, degrees, of a spherical cap of angular radius `radiusRad` centred at
 * `latitude`: asin(sin r / cos φ) (J. P. Matuschek, "Finding Points Within a Distance of a
 * Latitude/Longitude Using Bounding Coordinates", 2010, §3.3). NaN when the cap contains a pole.
 */
function capHalfLongitudeSpanDeg(latitude: number, radiusRad: number): number {
  const x = Math.sin(radiusRad) / Math.cos(latitude * RAD);
  return x >= 1 ? Number.NaN : Math.asin(x) * DEG;
}

/** Twice the signed area of a ring in square degrees (shoelace formula); 0 for a degenerate ring. */
function ringArea2(ring: readonly (readonly number[])[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[j] as readonly number[];
    const b = ring[i] as readonly number[];
    sum += (a[0] as number) * (b[1] as number) - (b[0] as number) * (a[1] as number);
  }
  return sum;
}

function ringProblem(ring: unknown, which: string): string | null {
  if (!Array.isArray(ring)) return `${which} is not an array of positions`;
  if (ring.length < 4) return `${which} has ${ring.length} positions; a closed ring needs at least 4`;
  let minLng = Number.POSITIVE_INFINITY;
  let maxLng = Number.NEGATIVE_INFINITY;
  for (const [i, p] of ring.entries()) {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3) return `${which}, position ${i}: not [longitude, latitude]`;
    if (!isLongitude(p[0])) return `${which}, position ${i}: longitude ${String(p[0])} outside -180…180`;
    if (!isLatitude(p[1])) return `${which}, position ${i}: latitude ${String(p[1])} outside -90…90`;
    if (p[0] < minLng) minLng = p[0];
    if (p[0] > maxLng) maxLng = p[0];
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return `${which} is not closed (first position ≠ last)`;
  const distinct = new Set(ring.slice(0, -1).map((p: number[]) => `${p[0]},${p[1]}`));
  if (distinct.size < 3) return `${which} has fewer than 3 distinct positions`;
  if (ringArea2(ring as number[][]) === 0) return `${which} has no area (all positions on one line)`;
  if (maxLng - minLng > 180)
    return `${which} spans more than 180° of longitude (antimeridian crossing is not supported)`;
  return null;
}

/**
 * Why `shape` cannot be a geofence, or null when it can. Checks: kind; circle centre in range,
 * 0 < radiusM ≤ {@link GEOFENCE_MAX_RADIUS_M}, and a circle neither reaching a pole nor crossing
 * the antimeridian; polygon rings as in {@link GeofenceShape}, coordinates in range, each with 3
 * distinct positions and a non-zero area, no ring spanning more than 180° of longitude (taken as an
 * antimeridian crossing), at most {@link GEOFENCE_MAX_POSITIONS} positions. Self-intersection is not
 * checked: {@link geofenceContains} applies the even-odd rule to any ring.
 * Safe on untrusted input (a JSON body cast to GeofenceShape).
 * @returns a sentence for the API's error message, or null
 */
export function validateGeofenceShape(shape: GeofenceShape): string | null {
  const s = shape as unknown as Record<string, unknown> | null;
  if (typeof s !== "object" || s === null) return "shape is not an object";
  if (s.kind === "circle") {
    if (!isLatitude(s.latitude)) return "circle latitude outside -90…90";
    if (!isLongitude(s.longitude)) return "circle longitude outside -180…180";
    const r = s.radiusM;
    if (typeof r !== "number" || !Number.isFinite(r) || r <= 0)
      return "circle radius must be a positive number of metres";
    if (r > GEOFENCE_MAX_RADIUS_M) return `circle radius ${r} m exceeds ${GEOFENCE_MAX_RADIUS_M} m`;
    const b = shapeBounds(shape);
    if (Number.isNaN(b.minLongitude) || b.maxLatitude >= 90 || b.minLatitude <= -90) return "circle reaches a pole";
    if (b.minLongitude < -180 || b.maxLongitude > 180) {
      return "circle crosses the antimeridian (±180° longitude), which is not supported";
    }
    return null;
  }
  if (s.kind === "polygon") {
    const rings = s.coordinates;
    if (!Array.isArray(rings) || rings.length === 0) return "polygon has no rings";
    let positions = 0;
    for (const [i, ring] of rings.entries()) {
      const problem = ringProblem(ring, i === 0 ? "outer ring" : `hole ${i}`);
      if (problem) return problem;
      positions += (ring as unknown[]).length;
    }
    if (positions > GEOFENCE_MAX_POSITIONS)
      return `polygon has ${positions} positions; at most ${GEOFENCE_MAX_POSITIONS}`;
    return null;
  }
  return `unknown shape kind ${JSON.stringify(s.kind)}`;
}

/**
 * Bounding box of a shape, degrees. A polygon's is its outer ring's extent. A circle's spans
 * ±r/R radians of latitude and ±asin(sin(r/R) / cos φ) of longitude around its centre (Matuschek
 * 2010, see above; at small radii ≈ r/(R cos φ)), R = {@link EARTH_RADIUS_M}; the longitudes may
 * leave −180…180 for a circle crossing the antimeridian and are NaN for one containing a pole
 * (both refused by {@link validateGeofenceShape}). Circle boxes are padded by 1e-9° (0.1 mm) so that
 * rounding never puts a point the haversine test accepts outside its box.
 */
export function shapeBounds(shape: GeofenceShape): GeoBounds {
  if (shape.kind === "circle") {
    const radiusRad = shape.radiusM / EARTH_RADIUS_M;
    const dLat = radiusRad * DEG + BOUNDS_PAD_DEG;
    const dLng = capHalfLongitudeSpanDeg(shape.latitude, radiusRad) + BOUNDS_PAD_DEG;
    return {
      minLatitude: shape.latitude - dLat,
      maxLatitude: shape.latitude + dLat,
      minLongitude: shape.longitude - dLng,
      maxLongitude: shape.longitude + dLng,
    };
  }
  const b: GeoBounds = {
    minLatitude: Number.POSITIVE_INFINITY,
    maxLatitude: Number.NEGATIVE_INFINITY,
    minLongitude: Number.POSITIVE_INFINITY,
    maxLongitude: Number.NEGATIVE_INFINITY,
  };
  for (const [lng, lat] of shape.coordinates[0] ?? []) {
    if (lat < b.minLatitude) b.minLatitude = lat;
    if (lat > b.maxLatitude) b.maxLatitude = lat;
    if (lng < b.minLongitude) b.minLongitude = lng;
    if (lng > b.maxLongitude) b.maxLongitude = lng;
  }
  return b;
}

/**
 * Even-odd crossing test of (lng, lat) against one ring: counts the ring's edges crossed by a ray
 * from the point towards +longitude (W. R. Franklin's PNPOLY, 1970s–2006; also Haines, "Point in
 * Polygon Strategies", Graphics Gems IV, 1994). The half-open rule on each edge's latitude range
 * counts a vertex on the ray once.
 */
function ringContains(ring: readonly [number, number][], lng: number, lat: number): boolean {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = ring[i] as [number, number];
    const b = ring[j] as [number, number];
    const aLat = a[1];
    const bLat = b[1];
    if (aLat > lat !== bLat > lat && lng < ((b[0] - a[0]) * (lat - aLat)) / (bLat - aLat) + a[0]) inside = !inside;
  }
  return inside;
}

/**
 * Whether the point (degrees) lies in `shape`.
 * - Circle: haversine distance to the centre ≤ radiusM (boundary included).
 * - Polygon: inside the outer ring and outside every hole, by ray casting (even-odd rule) in the
 *   plane of (longitude, latitude). That plane is an approximation: edges are taken as straight
 *   lines in plate carrée rather than great-circle arcs, so a point within a few metres of a long
 *   edge (tens of km or more) may be misjudged; on geofence-sized edges the difference is far below
 *   GPS noise. It matches GeoJSON's own convention (RFC 7946 §3.1.1: lines between positions are
 *   straight in the coordinate reference system). Points exactly on an edge may fall either way.
 *   Rings must not cross the antimeridian (±180°): a ring from 179° to −179° would be read as
 *   spanning 358° the other way round (validation refuses them).
 * Assumes a shape accepted by {@link validateGeofenceShape}; never throws.
 */
export function geofenceContains(shape: GeofenceShape, latitude: number, longitude: number): boolean {
  if (shape.kind === "circle") return haversineM(latitude, longitude, shape.latitude, shape.longitude) <= shape.radiusM;
  const rings = shape.coordinates;
  const outer = rings[0];
  if (!outer || !ringContains(outer, longitude, latitude)) return false;
  for (let h = 1; h < rings.length; h++)
    if (ringContains(rings[h] as [number, number][], longitude, latitude)) return false;
  return true;
}

/** A geofence with its bounding box, as stored in the grid (one object per geofence). */
class IndexedGeofence {
  readonly minLatitude: number;
  readonly maxLatitude: number;
  readonly minLongitude: number;
  readonly maxLongitude: number;

  constructor(
    readonly def: GeofenceDef,
    bounds: GeoBounds,
    /** Grid cell keys it was filed under; empty when it is in its tenant's `large` list. */
    readonly cells: number[],
  ) {
    this.minLatitude = bounds.minLatitude;
    this.maxLatitude = bounds.maxLatitude;
    this.minLongitude = bounds.minLongitude;
    this.maxLongitude = bounds.maxLongitude;
  }

  contains(latitude: number, longitude: number): boolean {
    return (
      latitude >= this.minLatitude &&
      latitude <= this.maxLatitude &&
      longitude >= this.minLongitude &&
      longitude <= this.maxLongitude &&
      geofenceContains(this.def.shape, latitude, longitude)
    );
  }
}

interface TenantGrid {
  /** Cell key → geofences whose bounding box overlaps the cell. */
  cells: Map<number, IndexedGeofence[]>;
  /** Geofences covering more than {@link MAX_CELLS_PER_GEOFENCE} cells: bbox-tested on every lookup. */
  large: IndexedGeofence[];
}

/**
 * A geofence overlapping more cells than this (at 0.01°, beyond ≈ 0.64° ≈ 70 km square) is kept in
 * a per-tenant list instead of the grid: memory stays ≤ 4,096 slots per geofence, and regions that
 * large are few.
 */
const MAX_CELLS_PER_GEOFENCE = 4096;

/** A geofence {@link GeofenceIndex.replace} left out, and why. */
export interface GeofenceRejection {
  id: string;
  reason: string;
}

/**
 * Which of a tenant's geofences contain a point, without a database query: per tenant, a uniform
 * grid of `cellDeg`-degree cells (default {@link GEOFENCE_GRID_CELL_DEG}) maps each cell to the
 * geofences whose bounding box overlaps it; a lookup reads one cell, checks each candidate's bbox,
 * then runs the exact test ({@link geofenceContains}). Geofences spanning more than 4,096 cells
 * (at 0.01°: wider than ≈ 70 km, e.g. a 100 km circle) sit in a per-tenant list checked by bbox on
 * every lookup, so a tenant with hundreds of region-sized geofences pays for each on every fix.
 * Memory: one record per geofence plus one array slot per overlapped cell.
 *
 * Mutations (`replace`, `upsert`, `remove`) are synchronous, so a server reloading after CRUD never
 * exposes a half-built index to the ingest path.
 */
export class GeofenceIndex {
  private readonly tenants = new Map<string, TenantGrid>();
  private readonly byId = new Map<string, IndexedGeofence>();
  private readonly cellDeg: number;
  /** Cells per grid row (360° of longitude, plus one so that +180° does not wrap to the next row). */
  private readonly cols: number;

  /**
   * @param defs initial geofences; invalid ones are left out as by {@link replace}
   * @param opts.cellDeg grid cell size, degrees (> 0)
   * @throws RangeError when cellDeg is not a positive number
   */
  constructor(defs: readonly GeofenceDef[] = [], opts: { cellDeg?: number } = {}) {
    this.cellDeg = opts.cellDeg ?? GEOFENCE_GRID_CELL_DEG;
    if (!(this.cellDeg > 0) || !Number.isFinite(this.cellDeg)) throw new RangeError("cellDeg must be > 0");
    this.cols = Math.ceil(360 / this.cellDeg) + 1;
    this.replace(defs);
  }

  /** Number of geofences indexed. */
  get size(): number {
    return this.byId.size;
  }

  /** The indexed geofence with this id, if any. */
  get(id: string): GeofenceDef | undefined {
    return this.byId.get(id)?.def;
  }

  /**
   * Replaces the whole index with `defs` (a full reload). Geofences with an invalid shape or speed
   * limit are left out and returned rather than thrown, so that one bad stored row does not blind
   * the index to all the others.
   * @returns the geofences left out, with the reason
   */
  replace(defs: readonly GeofenceDef[]): GeofenceRejection[] {
    this.tenants.clear();
    this.byId.clear();
    const rejected: GeofenceRejection[] = [];
    for (const def of defs) {
      const reason = defProblem(def);
      if (reason) rejected.push({ id: def.id, reason });
      else this.insert(def);
    }
    return rejected;
  }

  /**
   * Adds a geofence or replaces the one with the same id (also when its tenant changed).
   * @throws RangeError when its shape or speed limit is invalid (validate before storing it)
   */
  upsert(def: GeofenceDef): void {
    const reason = defProblem(def);
    if (reason) throw new RangeError(`geofence ${def.id}: ${reason}`);
    this.remove(def.id);
    this.insert(def);
  }

  /** Removes a geofence; false when it was not indexed. */
  remove(id: string): boolean {
    const g = this.byId.get(id);
    if (!g) return false;
    this.byId.delete(id);
    const grid = this.tenants.get(g.def.tenantId);
    if (!grid) return true;
    if (g.cells.length === 0) {
      grid.large.splice(grid.large.indexOf(g), 1);
    } else {
      for (const key of g.cells) {
        const list = grid.cells.get(key);
        if (!list) continue;
        list.splice(list.indexOf(g), 1);
        if (list.length === 0) grid.cells.delete(key);
      }
    }
    if (grid.cells.size === 0 && grid.large.length === 0) this.tenants.delete(g.def.tenantId);
    return true;
  }

  /**
   * The tenant's geofences containing the point (degrees), in no particular order. Allocates the
   * result; hot paths use {@link collectContaining}.
   */
  containing(tenantId: string, latitude: number, longitude: number): GeofenceDef[] {
    const out: GeofenceDef[] = [];
    this.collectContaining(tenantId, latitude, longitude, out);
    return out;
  }

  /**
   * {@link containing} without allocating: writes the geofences to `out[0 … n-1]` (overwriting,
   * never shrinking `out`) and returns n. A tenant without geofences, or a point in an empty cell,
   * costs two Map lookups.
   */
  collectContaining(tenantId: string, latitude: number, longitude: number, out: GeofenceDef[]): number {
    const grid = this.tenants.get(tenantId);
    if (!grid) return 0;
    let n = 0;
    const row = Math.floor((latitude + 90) / this.cellDeg);
    const col = Math.floor((longitude + 180) / this.cellDeg);
    const list = grid.cells.get(row * this.cols + col);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const g = list[i] as IndexedGeofence;
        if (g.contains(latitude, longitude)) out[n++] = g.def;
      }
    }
    const large = grid.large;
    for (let i = 0; i < large.length; i++) {
      const g = large[i] as IndexedGeofence;
      if (g.contains(latitude, longitude)) out[n++] = g.def;
    }
    return n;
  }

  private insert(def: GeofenceDef): void {
    const bounds = shapeBounds(def.shape);
    let grid = this.tenants.get(def.tenantId);
    if (!grid) {
      grid = { cells: new Map(), large: [] };
      this.tenants.set(def.tenantId, grid);
    }
    const row0 = Math.floor((bounds.minLatitude + 90) / this.cellDeg);
    const row1 = Math.floor((bounds.maxLatitude + 90) / this.cellDeg);
    const col0 = Math.floor((bounds.minLongitude + 180) / this.cellDeg);
    const col1 = Math.floor((bounds.maxLongitude + 180) / this.cellDeg);
    const cellCount = (row1 - row0 + 1) * (col1 - col0 + 1);
    const cells: number[] = [];
    if (cellCount <= MAX_CELLS_PER_GEOFENCE) {
      for (let r = row0; r <= row1; r++) for (let c = col0; c <= col1; c++) cells.push(r * this.cols + c);
    }
    const g = new IndexedGeofence(def, bounds, cells);
    this.byId.set(def.id, g);
    if (cells.length === 0) {
      grid.large.push(g);
      return;
    }
    for (const key of cells) {
      const list = grid.cells.get(key);
      if (list) list.push(g);
      else grid.cells.set(key, [g]);
    }
  }
}

function defProblem(def: GeofenceDef): string | null {
  const limit = def.speedLimitKph;
  if (limit !== null && !(typeof limit === "number" && Number.isFinite(limit) && limit > 0)) {
    return "speed limit must be a positive number of km/h or null";
  }
  return validateGeofenceShape(def.shape);
}
