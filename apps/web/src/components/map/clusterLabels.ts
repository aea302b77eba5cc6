/**
 * Cluster counts as HTML labels over the cluster circles. Symbol text would need glyph PBFs from a
 * glyph server (or shipped with the app, a few MB for a font's ranges); a few dozen absolutely
 * positioned divs cost nothing and keep the map free of network requests. Labels are refreshed when
 * the cluster source changes or the camera stops, from the features MapLibre already tiled
 * (`querySourceFeatures`), at most {@link MAX_LABELS} of them.
 */

import { type Map as MapLibreMap, Marker } from "./maplibre";
import { CLUSTER_SOURCE, LIVE_MIN_ZOOM } from "./vehicleLayer";

/** Upper bound of labels on screen (clusters are ~48 px apart, so a screen holds a few hundred at most). */
const MAX_LABELS = 400;

/** Manages the count labels of one map's cluster source. */
export class ClusterLabels {
  private readonly labels = new Map<number, { marker: Marker; count: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly schedule = () => {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 150);
  };
  private readonly onSourceData = (e: { sourceId?: string; isSourceLoaded?: boolean }) => {
    if (e.sourceId === CLUSTER_SOURCE && e.isSourceLoaded) this.schedule();
  };

  constructor(private readonly map: MapLibreMap) {
    map.on("sourcedata", this.onSourceData);
    map.on("moveend", this.schedule);
  }

  /** Re-reads the clusters in view and adds, updates or removes labels. */
  refresh(): void {
    const map = this.map;
    const seen = new Set<number>();
    if (map.getZoom() < LIVE_MIN_ZOOM && map.getSource(CLUSTER_SOURCE)) {
      const features = map.querySourceFeatures(CLUSTER_SOURCE, { filter: ["has", "point_count"] });
      for (const f of features) {
        if (seen.size >= MAX_LABELS) break;
        const clusterId = Number(f.properties?.cluster_id);
        const count = Number(f.properties?.point_count);
        if (!Number.isFinite(clusterId) || seen.has(clusterId) || f.geometry.type !== "Point") continue;
        seen.add(clusterId);
        const [lng = 0, lat = 0] = f.geometry.coordinates;
        const label = this.labels.get(clusterId);
        if (label) {
          label.marker.setLngLat([lng, lat]);
          if (label.count !== count) {
            label.marker.getElement().textContent = formatCount(count);
            label.count = count;
          }
          continue;
        }
        const element = document.createElement("div");
        element.className = "fc-cluster-label";
        element.textContent = formatCount(count);
        element.setAttribute("aria-hidden", "true");
        const marker = new Marker({ element }).setLngLat([lng, lat]).addTo(map);
        this.labels.set(clusterId, { marker, count });
      }
    }
    for (const [clusterId, label] of this.labels) {
      if (seen.has(clusterId)) continue;
      label.marker.remove();
      this.labels.delete(clusterId);
    }
  }

  /** Removes labels and listeners. */
  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.map.off("sourcedata", this.onSourceData);
    this.map.off("moveend", this.schedule);
    for (const label of this.labels.values()) label.marker.remove();
    this.labels.clear();
  }
}

/** 7 → "7", 1234 → "1.2k", 12345 → "12k". */
export function formatCount(count: number): string {
  if (count < 1000) return String(count);
  return count < 10_000 ? `${(count / 1000).toFixed(1)}k` : `${Math.round(count / 1000)}k`;
}
