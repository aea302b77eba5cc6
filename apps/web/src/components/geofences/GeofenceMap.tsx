/**
 * The geofences map: the tenant's geofences as filled areas in their colour (inactive ones faint and
 * dashed) with HTML name labels (the offline basemap has no glyphs for symbol text), the live
 * vehicles for context, and a {@link GeofenceDrawing} for drawing and editing, handed to the page
 * through `onDrawingReady`. Imports MapLibre and terra-draw: load it lazily.
 *
 * Exposed for tests on the map's container element: `data-map-ready="true"` once the style, layers
 * and terra-draw are in, `data-geofence-count` (geofences drawn), `data-draw-state` (idle, drawing,
 * drawn) and `data-draw-mode` (terra-draw's mode).
 */
import type { Geofence } from "@fleetcore/validators";
import { useEffect, useRef, useState } from "react";
import type { LiveFleet } from "../../lib/livePositions";
import { attachFineGraticule, mapStyle } from "../map/basemap";
import { ClusterLabels } from "../map/clusterLabels";
import { syncVehicles } from "../map/fleetSync";
import { type GeoJSONSource, LngLatBounds, Map as MapLibreMap, Marker } from "../map/maplibre";
import { VehicleLayer } from "../map/vehicleLayer";
import { type DrawingState, GeofenceDrawing } from "./drawing";
import { geofenceFeatures, labelPoint, shapeBounds } from "./shapes";

const SOURCE = "fc-geofences";
const FILL_LAYER = "fc-geofences-fill";
const LINE_LAYER = "fc-geofences-line";
const FIT_PADDING = 60;
/** Closest zoom when fitting the camera to geofences or vehicles. */
const FIT_MAX_ZOOM = 14;

export interface GeofenceMapProps {
  /** The geofences to draw (the page leaves out the one being edited); undefined while loading. */
  geofences: readonly Geofence[] | undefined;
  /** The live fleet, for context and for the first camera position when there are no geofences. */
  fleet: LiveFleet;
  /** Highlighted geofence, or null. */
  selectedId: string | null;
  /** Move the camera to this geofence (a click in the list); `seq` changes on every request. */
  focus: { id: string; seq: number } | null;
  /** A geofence was clicked on the map while nothing is being drawn. */
  onSelect: (geofenceId: string) => void;
  /** The drawing controller, once the map is ready (null again on unmount). */
  onDrawingReady: (drawing: GeofenceDrawing | null) => void;
  /** The drawing's state changed, or its shape was edited. */
  onDrawingState: (state: DrawingState) => void;
}

export function GeofenceMap(props: GeofenceMapProps) {
  const { geofences, fleet, selectedId, focus } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const [error, setError] = useState<string | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;
  /** Set once the camera was fitted to geofences (or, without any, to the fleet). */
  const fittedRef = useRef(false);
  const labelsRef = useRef(new Map<string, Marker>());

  // The map, its layers, the vehicles and terra-draw: once per mount.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const style = mapStyle("light");
    let m: MapLibreMap;
    try {
      m = new MapLibreMap({
        container,
        style,
        center: [0, 20],
        zoom: 1.2,
        attributionControl: import.meta.env.VITE_MAP_STYLE_URL ? { compact: true } : false,
        fadeDuration: 0,
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    const detachGraticule = typeof style === "string" ? undefined : attachFineGraticule(m);
    const vehicles = new VehicleLayer(m);
    let clusterLabels: ClusterLabels | undefined;
    let unsubscribe: (() => void) | undefined;
    let drawing: GeofenceDrawing | undefined;
    const fitOnce = () => {
      if (!fittedRef.current) fittedRef.current = fitCamera(m, propsRef.current.geofences, fleet);
    };
    m.on("load", () => {
      // Geofences first, so that vehicles and the shape being drawn are drawn over them.
      m.addSource(SOURCE, { type: "geojson", data: geofenceFeatures([]), promoteId: "id" });
      m.addLayer({
        id: FILL_LAYER,
        type: "fill",
        source: SOURCE,
        paint: {
          "fill-color": ["get", "color"],
          "fill-opacity": [
            "case",
            ["boolean", ["feature-state", "selected"], false],
            0.35,
            ["get", "active"],
            0.18,
            0.06,
          ],
        },
      });
      // Inactive geofences dashed: two layers, as `line-dasharray` cannot follow a feature property.
      for (const active of [true, false]) {
        m.addLayer({
          id: active ? LINE_LAYER : `${LINE_LAYER}-inactive`,
          type: "line",
          source: SOURCE,
          filter: ["==", ["get", "active"], active],
          paint: {
            "line-color": ["get", "color"],
            "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 2],
            ...(active ? {} : { "line-dasharray": [2, 2] }),
          },
        });
      }
      vehicles.install();
      clusterLabels = new ClusterLabels(m);
      syncVehicles(vehicles, fleet, fleet.positions.keys());
      unsubscribe = fleet.subscribe((changed) => {
        if (changed.size > 0) syncVehicles(vehicles, fleet, changed);
        fitOnce();
      }, 250);
      drawing = new GeofenceDrawing(m, (state) => {
        container.dataset.drawState = state;
        container.dataset.drawMode = drawing?.mode ?? "static";
        propsRef.current.onDrawingState(state);
      });
      container.dataset.drawState = "idle";
      container.dataset.drawMode = drawing.mode;
      propsRef.current.onDrawingReady(drawing);
      container.dataset.mapReady = "true";
      setMap(m);
    });
    m.on("error", (e) => console.warn("map:", e.error?.message ?? e));
    m.on("click", FILL_LAYER, (e) => {
      if (drawing && drawing.current !== "idle") return;
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === "string") propsRef.current.onSelect(id);
    });
    m.on("mouseenter", FILL_LAYER, () => {
      if (!drawing || drawing.current === "idle") m.getCanvas().style.cursor = "pointer";
    });
    m.on("mouseleave", FILL_LAYER, () => {
      if (!drawing || drawing.current === "idle") m.getCanvas().style.cursor = "";
    });
    const labels = labelsRef.current;
    return () => {
      propsRef.current.onDrawingReady(null);
      unsubscribe?.();
      drawing?.destroy();
      clusterLabels?.destroy();
      vehicles.destroy();
      detachGraticule?.();
      for (const marker of labels.values()) marker.remove();
      labels.clear();
      m.remove();
      delete container.dataset.mapReady;
      setMap(null);
    };
  }, [fleet]);

  // Geofences: the source's data, the name labels, and the first camera fit.
  useEffect(() => {
    const container = containerRef.current;
    if (!map || !container || !geofences) return;
    void map.getSource<GeoJSONSource>(SOURCE)?.setData(geofenceFeatures(geofences));
    container.dataset.geofenceCount = String(geofences.length);
    const labels = labelsRef.current;
    const keep = new Set<string>();
    for (const g of geofences) {
      keep.add(g.id);
      const at = labelPoint(g.shape);
      const existing = labels.get(g.id);
      const element = existing?.getElement() ?? document.createElement("div");
      // classList, not className: MapLibre's marker classes are on the same element.
      element.classList.add("geofence-label");
      element.classList.toggle("geofence-label-inactive", !g.active);
      element.textContent = g.name;
      element.dataset.geofenceId = g.id;
      element.setAttribute("aria-hidden", "true");
      if (existing) existing.setLngLat(at);
      else labels.set(g.id, new Marker({ element }).setLngLat(at).addTo(map));
    }
    for (const [id, marker] of labels) {
      if (keep.has(id)) continue;
      marker.remove();
      labels.delete(id);
    }
    if (!fittedRef.current) fittedRef.current = fitCamera(map, geofences, fleet);
  }, [map, geofences, fleet]);

  // Selection highlight.
  useEffect(() => {
    if (!map || !selectedId) return;
    const target = { source: SOURCE, id: selectedId };
    map.setFeatureState(target, { selected: true });
    return () => {
      if (map.getSource(SOURCE)) map.removeFeatureState(target, "selected");
    };
  }, [map, selectedId]);

  // Camera to the geofence picked in the list.
  useEffect(() => {
    if (!map || !focus) return;
    const g = propsRef.current.geofences?.find((x) => x.id === focus.id);
    if (g) map.fitBounds(boundsOf([g]), { padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM, duration: 600 });
  }, [map, focus]);

  return (
    <section className="fc-map" aria-label="Geofences map">
      <div ref={containerRef} className="fc-map-canvas" data-geofence-count="0" />
      {error && (
        <p className="fc-map-error" role="alert">
          The map could not start ({error}). It needs WebGL.
        </p>
      )}
    </section>
  );
}

/**
 * The first camera position: the geofences, or without any the fleet's newest positions.
 * @returns false when there is nothing to fit to yet (geofences still loading, no positions)
 */
function fitCamera(map: MapLibreMap, geofences: readonly Geofence[] | undefined, fleet: LiveFleet): boolean {
  if (!geofences) return false;
  let bounds: LngLatBounds | null = null;
  if (geofences.length > 0) bounds = boundsOf(geofences);
  else {
    for (const p of fleet.positions.values()) {
      const at: [number, number] = [p.longitude, p.latitude];
      bounds = bounds ? bounds.extend(at) : new LngLatBounds(at, at);
    }
  }
  if (!bounds) return false;
  map.fitBounds(bounds, { padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM, duration: 0 });
  return true;
}

/** Bounds of several geofences. */
function boundsOf(geofences: readonly Geofence[]): LngLatBounds {
  const bounds = new LngLatBounds();
  for (const g of geofences) {
    const [sw, ne] = shapeBounds(g.shape);
    bounds.extend(sw).extend(ne);
  }
  return bounds;
}
