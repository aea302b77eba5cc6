/**
 * The live fleet map: a MapLibre map showing a {@link LiveFleet} through {@link VehicleLayer}
 * (diff-updated GPU layers, clusters when zoomed out, heading arrows), with selection, a popup, the
 * selected vehicle's trail and follow mode. Imports MapLibre (~1 MB): load it lazily.
 *
 * Exposed for tests and tooling on the map's container element: `data-map-ready="true"` once the
 * style and layers are in, `data-vehicle-count` (vehicles on the map), `data-selected-vehicle`.
 */
import { type ReactNode, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import type { LiveFleet, TrailPoint } from "../../lib/livePositions";
import { attachFineGraticule, type MapTheme, mapStyle } from "./basemap";
import { ClusterLabels } from "./clusterLabels";
import { syncVehicles } from "./fleetSync";
import { type GeoJSONSource, LngLatBounds, Map as MapLibreMap, Popup } from "./maplibre";
import { CLUSTER_SOURCE, LAYERS, VEHICLE_LAYERS, VehicleLayer } from "./vehicleLayer";

/** Props of {@link FleetMap}. */
export interface FleetMapProps {
  /** The live data to show; the map subscribes to its changes itself (every 100 ms at most). */
  fleet: LiveFleet;
  /** Accessible name of the map region. */
  label: string;
  /** Offline basemap colours (default light); ignored with `VITE_MAP_STYLE_URL`. */
  theme?: MapTheme;
  /** False for a wall display: no pan, zoom or clicks. Default true. */
  interactive?: boolean;
  /** The highlighted vehicle (halo, popup, trail), or null. */
  selectedVehicleId?: string | null;
  /** Keep the camera on the selected vehicle as it moves. */
  follow?: boolean;
  /** A vehicle was clicked on the map (null: empty map clicked, or the popup closed). */
  onSelect?: (vehicleId: string | null) => void;
  /** Follow mode ended because the person dragged the map. */
  onFollowChange?: (follow: boolean) => void;
  /** Content of the selected vehicle's popup; no popup without it. */
  popup?: (vehicleId: string) => ReactNode;
  /** Trail length of the selected vehicle, minutes (default 15). */
  trailMinutes?: number;
  /** Earlier points of a vehicle's trail (e.g. stored positions since `sinceMs`), merged into the live ones. */
  loadTrail?: (vehicleId: string, sinceMs: number) => Promise<TrailPoint[]>;
  /** Fit the camera to the fleet once on first data (default), or every 2 minutes as well (wall display). */
  autoFit?: "once" | "periodic";
  /** Room to leave around the fleet when fitting, px (e.g. for panels drawn over the map). Default 60 all round. */
  fitPadding?: { top: number; right: number; bottom: number; left: number };
}

/** Camera zoom when following a vehicle from further out. */
const FOLLOW_ZOOM = 14;
const REFIT_EVERY_MS = 2 * 60_000;

/**
 * The map. Creates its MapLibre map on mount and removes it on unmount; everything else (data, selection,
 * camera) is driven through props and the fleet store without re-creating it.
 */
export function FleetMap(props: FleetMapProps) {
  const { fleet, label, theme = "light", interactive = true, selectedVehicleId = null, follow = false } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<{ map: MapLibreMap; layer: VehicleLayer } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [popupElement] = useState(() => document.createElement("div"));
  const popupRef = useRef<Popup | null>(null);
  const closingPopupRef = useRef(false);
  // Latest props for the map's event handlers, which are bound once.
  const propsRef = useRef(props);
  propsRef.current = props;

  // The map, its layers and the data feed: once per mount.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const style = mapStyle(theme);
    let map: MapLibreMap;
    try {
      map = new MapLibreMap({
        container,
        style,
        center: [0, 20],
        zoom: 1.2,
        interactive,
        attributionControl: import.meta.env.VITE_MAP_STYLE_URL ? { compact: true } : false,
        fadeDuration: 0,
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    const layer = new VehicleLayer(map);
    const detachGraticule = typeof style === "string" ? undefined : attachFineGraticule(map);
    let labels: ClusterLabels | undefined;
    let unsubscribe: (() => void) | undefined;
    let refitTimer: ReturnType<typeof setInterval> | undefined;
    let fitted = false;
    const setCount = () => {
      container.dataset.vehicleCount = String(layer.size);
    };
    const fitToFleet = (animate: boolean) => {
      const bounds = fleetBounds(fleet);
      if (!bounds) return false;
      const padding = fitPaddingFor(container, propsRef.current.fitPadding);
      map.fitBounds(bounds, { padding, maxZoom: FOLLOW_ZOOM, duration: animate ? 1500 : 0 });
      return true;
    };
    map.on("load", () => {
      layer.install();
      labels = new ClusterLabels(map);
      syncVehicles(layer, fleet, fleet.positions.keys());
      setCount();
      fitted = fitToFleet(false);
      unsubscribe = fleet.subscribe((changed) => {
        if (changed.size > 0) {
          syncVehicles(layer, fleet, changed);
          setCount();
        }
        if (!fitted) fitted = fitToFleet(false);
        const selected = propsRef.current.selectedVehicleId;
        if (selected && changed.has(selected)) onSelectedMoved(map, layer, selected);
      }, 100);
      if (propsRef.current.autoFit === "periodic") refitTimer = setInterval(() => fitToFleet(true), REFIT_EVERY_MS);
      container.dataset.mapReady = "true";
      setReady({ map, layer });
    });
    map.on("error", (e) => {
      // Style or tile errors of a configured basemap: keep the vehicles, report once in the console.
      console.warn("map:", e.error?.message ?? e);
    });
    if (interactive) {
      map.on("click", (e) => {
        const layers = [...VEHICLE_LAYERS, LAYERS.clusters].filter((id) => map.getLayer(id));
        const feature = map.queryRenderedFeatures(e.point, { layers })[0];
        if (!feature) {
          propsRef.current.onSelect?.(null);
          return;
        }
        const clusterId = feature.properties?.cluster_id;
        if (
          feature.layer.id === LAYERS.clusters &&
          typeof clusterId === "number" &&
          feature.geometry.type === "Point"
        ) {
          const [lng = 0, lat = 0] = feature.geometry.coordinates;
          void map
            .getSource<GeoJSONSource>(CLUSTER_SOURCE)
            ?.getClusterExpansionZoom(clusterId)
            .then((zoom) => map.easeTo({ center: [lng, lat], zoom: zoom + 0.5 }));
          return;
        }
        const vehicleId = feature.properties?.vehicleId;
        if (typeof vehicleId === "string") propsRef.current.onSelect?.(vehicleId);
      });
      for (const id of [...VEHICLE_LAYERS, LAYERS.clusters]) {
        map.on("mouseenter", id, () => {
          map.getCanvas().style.cursor = "pointer";
        });
        map.on("mouseleave", id, () => {
          map.getCanvas().style.cursor = "";
        });
      }
      map.on("dragstart", (e) => {
        // A person dragging the map takes the camera back from follow mode.
        if (e.originalEvent && propsRef.current.follow) propsRef.current.onFollowChange?.(false);
      });
    }
    return () => {
      unsubscribe?.();
      detachGraticule?.();
      if (refitTimer) clearInterval(refitTimer);
      labels?.destroy();
      layer.destroy();
      closingPopupRef.current = true; // unmounting is not the person closing the popup
      popupRef.current?.remove();
      popupRef.current = null;
      closingPopupRef.current = false;
      map.remove();
      delete container.dataset.mapReady;
      setReady(null);
    };
  }, [fleet]);

  /** The popup, created on first use; opened (or moved) at `lngLat`. */
  const showPopup = (map: MapLibreMap, lngLat: [number, number]) => {
    let popup = popupRef.current;
    if (!popup) {
      popup = new Popup({ closeOnClick: false, offset: 16, maxWidth: "300px", focusAfterOpen: false });
      popup.setDOMContent(popupElement);
      popup.on("close", () => {
        if (!closingPopupRef.current) propsRef.current.onSelect?.(null);
      });
      popupRef.current = popup;
    }
    popup.setLngLat(lngLat);
    if (!popup.isOpen()) popup.addTo(map);
  };

  /** Moves popup, trail and (when following) the camera with the selected vehicle. */
  const onSelectedMoved = (map: MapLibreMap, layer: VehicleLayer, vehicleId: string) => {
    const state = layer.stateOf(vehicleId);
    if (!state) return;
    if (propsRef.current.popup) showPopup(map, [state.lng, state.lat]);
    layer.setTrail(trailCoordinates(fleet.trailOf(vehicleId)));
    if (propsRef.current.follow && !map.isMoving()) {
      map.easeTo({ center: [state.lng, state.lat], duration: 800, essential: true });
    }
  };

  // Selection: halo, trail subscription (full-rate `track`), popup.
  useEffect(() => {
    if (!ready) return;
    const { map, layer } = ready;
    const container = containerRef.current;
    if (container) {
      if (selectedVehicleId) container.dataset.selectedVehicle = selectedVehicleId;
      else delete container.dataset.selectedVehicle;
    }
    layer.setSelected(selectedVehicleId);
    if (!selectedVehicleId) {
      layer.setTrail([]);
      closePopup();
      return;
    }
    const vehicleId = selectedVehicleId;
    const release = fleet.trackVehicle(vehicleId);
    layer.setTrail(trailCoordinates(fleet.trailOf(vehicleId)));
    let cancelled = false;
    const trailMs = (propsRef.current.trailMinutes ?? 15) * 60_000;
    propsRef.current
      .loadTrail?.(vehicleId, Date.now() - trailMs)
      .then((points) => {
        if (cancelled) return;
        fleet.seedTrail(vehicleId, points);
        layer.setTrail(trailCoordinates(fleet.trailOf(vehicleId)));
      })
      .catch(() => {}); // the live trail still grows
    const state = layer.stateOf(vehicleId);
    if (state && propsRef.current.popup) showPopup(map, [state.lng, state.lat]);
    else closePopup(); // shown once the vehicle reports (onSelectedMoved)
    return () => {
      cancelled = true;
      release();
    };
  }, [ready, selectedVehicleId, fleet]);

  // Follow: jump to the vehicle when follow mode starts (then onSelectedMoved keeps it centred).
  useEffect(() => {
    if (!ready || !follow || !selectedVehicleId) return;
    const state = ready.layer.stateOf(selectedVehicleId);
    if (!state) return;
    ready.map.easeTo({
      center: [state.lng, state.lat],
      zoom: Math.max(ready.map.getZoom(), FOLLOW_ZOOM),
      duration: 1000,
      essential: true,
    });
  }, [ready, follow, selectedVehicleId]);

  function closePopup() {
    const popup = popupRef.current;
    if (!popup?.isOpen()) return;
    closingPopupRef.current = true;
    popup.remove();
    closingPopupRef.current = false;
  }

  return (
    <section className="fc-map" aria-label={label}>
      <div ref={containerRef} className="fc-map-canvas" data-vehicle-count="0" />
      {error && (
        <p className="fc-map-error" role="alert">
          The map could not start ({error}). It needs WebGL.
        </p>
      )}
      {ready && selectedVehicleId && props.popup && createPortal(props.popup(selectedVehicleId), popupElement)}
    </section>
  );
}

/** The requested padding, scaled down when it would leave less than 20% of the map (MapLibre then refuses to fit). */
function fitPaddingFor(
  container: HTMLElement,
  wanted: FleetMapProps["fitPadding"] = { top: 60, right: 60, bottom: 60, left: 60 },
): { top: number; right: number; bottom: number; left: number } {
  const width = container.clientWidth;
  const height = container.clientHeight;
  const scale = Math.min(
    1,
    (width * 0.8) / Math.max(1, wanted.left + wanted.right),
    (height * 0.8) / Math.max(1, wanted.top + wanted.bottom),
  );
  return {
    top: wanted.top * scale,
    right: wanted.right * scale,
    bottom: wanted.bottom * scale,
    left: wanted.left * scale,
  };
}

/** Lng/lat pairs of a trail, oldest first. */
function trailCoordinates(trail: readonly TrailPoint[]): [number, number][] {
  return trail.map((p) => [p.lng, p.lat]);
}

/** Bounds of the fleet's newest positions (ignoring vehicles silent for over a day), or null without any. */
function fleetBounds(fleet: LiveFleet): LngLatBounds | null {
  const cutoffIso = new Date(Date.now() - 24 * 3600_000).toISOString();
  let bounds: LngLatBounds | null = null;
  let fallback: LngLatBounds | null = null;
  for (const p of fleet.positions.values()) {
    const lngLat: [number, number] = [p.longitude, p.latitude];
    fallback = fallback ? fallback.extend(lngLat) : new LngLatBounds(lngLat, lngLat);
    if (p.time < cutoffIso) continue;
    bounds = bounds ? bounds.extend(lngLat) : new LngLatBounds(lngLat, lngLat);
  }
  return bounds ?? fallback;
}

export default FleetMap;
