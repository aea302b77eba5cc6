/**
 * Drawing and editing one geofence on a MapLibre map with terra-draw (1.x): circle and polygon
 * modes to draw, select mode to adjust (drag the shape; move, insert and delete a polygon's
 * vertices; resize a circle around its fixed centre). Holds at most one feature; its geometry is
 * read back as our shape with `shapeFromPolygon` when the person saves.
 */

import type { GeofenceShapeData } from "@fleetcore/validators";
import {
  type GeoJSONStoreFeatures,
  TerraDraw,
  TerraDrawCircleMode,
  TerraDrawPolygonMode,
  TerraDrawSelectMode,
  ValidateNotSelfIntersecting,
} from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import type { Map as MapLibreMap } from "../map/maplibre";
import { COORDINATE_DECIMALS, polygonOf, shapeFromPolygon } from "./shapes";

export type DrawKind = "circle" | "polygon";

/** `idle`: nothing on the map; `drawing`: a draw mode is active; `drawn`: one shape, ready to save. */
export type DrawingState = "idle" | "drawing" | "drawn";

type FeatureId = string | number;
type Validation = NonNullable<NonNullable<ConstructorParameters<typeof TerraDrawPolygonMode>[0]>["validation"]>;

/** Purple, as the selected row of the map lists: the shape being drawn stands out from stored ones. */
const ACCENT = "#7c3aed";

/** Refuses a polygon whose edges cross, once a vertex is placed (not while the pointer only hovers). */
const notSelfIntersecting: Validation = (feature, { updateType }) =>
  String(updateType) === "provisional" ? { valid: true } : ValidateNotSelfIntersecting(feature);

export class GeofenceDrawing {
  private readonly draw: TerraDraw;
  private featureId: FeatureId | null = null;
  private kind: DrawKind | null = null;
  private state: DrawingState = "idle";
  /** Whether the geometry was drawn or edited since {@link draw} / {@link edit}. */
  private touched = false;

  /**
   * Starts terra-draw on `map` (its style must be loaded), idle.
   * @param onState called whenever the state changes, and after each edit of the shape
   */
  constructor(
    map: MapLibreMap,
    private readonly onState: (state: DrawingState) => void,
  ) {
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: COORDINATE_DECIMALS }),
      modes: [
        new TerraDrawCircleMode({
          styles: { fillColor: ACCENT, fillOpacity: 0.2, outlineColor: ACCENT, outlineWidth: 2 },
        }),
        new TerraDrawPolygonMode({
          validation: notSelfIntersecting,
          styles: { fillColor: ACCENT, fillOpacity: 0.2, outlineColor: ACCENT, outlineWidth: 2 },
        }),
        new TerraDrawSelectMode({
          // Keys must not delete the shape behind the form's back; Escape belongs to the page.
          keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
          flags: {
            polygon: {
              feature: {
                draggable: true,
                validation: notSelfIntersecting,
                coordinates: { draggable: true, midpoints: true, deletable: true },
              },
            },
            circle: { feature: { draggable: true, coordinates: { resizable: "center-fixed" } } },
          },
          styles: {
            selectedPolygonColor: ACCENT,
            selectedPolygonFillOpacity: 0.25,
            selectedPolygonOutlineColor: ACCENT,
            selectedPolygonOutlineWidth: 2,
          },
        }),
      ],
    });
    this.draw.start();
    this.draw.on("finish", this.onFinish);
  }

  /** Current state. */
  get current(): DrawingState {
    return this.state;
  }

  /** The terra-draw mode, for tests and styling ("static" when idle). */
  get mode(): string {
    return this.draw.getMode();
  }

  /** Whether the shape was drawn, or its geometry edited, since {@link draw} / {@link edit}. */
  get geometryChanged(): boolean {
    return this.touched;
  }

  /** Clears any shape and starts drawing a new `kind`. */
  startDrawing(kind: DrawKind): void {
    this.reset();
    this.kind = kind;
    this.draw.setMode(kind);
    this.setState("drawing");
  }

  /**
   * Puts an existing geofence's shape on the map, selected for editing.
   * @returns null, or why terra-draw cannot edit it (e.g. a polygon with holes, or one whose edges cross)
   */
  edit(shape: GeofenceShapeData): string | null {
    this.reset();
    const id = this.draw.getFeatureId();
    const feature: GeoJSONStoreFeatures = {
      id,
      type: "Feature",
      geometry: roundedPolygon(shape),
      properties: { mode: shape.kind },
    };
    const [result] = this.draw.addFeatures([feature]);
    if (!result?.valid) return result?.reason ?? "unsupported shape";
    this.featureId = id;
    this.kind = shape.kind;
    this.draw.selectFeature(id);
    this.setState("drawn");
    return null;
  }

  /** The shape on the map as ours, or null when none is finished. */
  shape(): GeofenceShapeData | null {
    if (this.featureId === null || !this.kind) return null;
    const feature = this.draw.getSnapshotFeature(this.featureId);
    if (feature?.geometry.type !== "Polygon") return null;
    return shapeFromPolygon(this.kind, feature.geometry);
  }

  /** Removes the shape and returns to idle (the map pans and zooms as usual). */
  stop(): void {
    this.reset();
    this.setState("idle");
  }

  /** Stops terra-draw and removes its layers. */
  destroy(): void {
    this.draw.off("finish", this.onFinish);
    this.draw.stop();
  }

  private reset(): void {
    this.draw.setMode("static");
    this.draw.clear();
    this.featureId = null;
    this.kind = null;
    this.touched = false;
  }

  private readonly onFinish = (id: FeatureId, context: { mode: string; action: string }) => {
    if (context.mode === this.kind && context.action === "draw") {
      // Drawn: keep it selected so that it can be adjusted before saving.
      this.featureId = id;
      this.touched = true;
      this.draw.setMode("select");
      this.draw.selectFeature(id);
      this.setState("drawn");
    } else if (context.mode === "select" && id === this.featureId) {
      this.touched = true;
      this.onState(this.state);
    }
  };

  private setState(state: DrawingState): void {
    this.state = state;
    this.onState(state);
  }
}

/** A shape as a polygon with coordinates at terra-draw's precision (it refuses finer ones). */
function roundedPolygon(shape: GeofenceShapeData) {
  const polygon = polygonOf(shape);
  const f = 10 ** COORDINATE_DECIMALS;
  return {
    type: "Polygon" as const,
    coordinates: polygon.coordinates.map((ring) =>
      ring.map(([lng = 0, lat = 0]) => [Math.round(lng * f) / f, Math.round(lat * f) / f]),
    ),
  };
}
