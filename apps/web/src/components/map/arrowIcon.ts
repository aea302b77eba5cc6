/**
 * Heading arrows drawn at run time on a canvas (no sprite sheet to ship or fetch): one image per
 * movement status, registered with `map.addImage`, rotated on the GPU by the symbol layer's
 * `icon-rotate` (the vehicle's `headingDeg`).
 */
import type { VehicleMovementStatus } from "@fleetcore/realtime";
import type { Map as MapLibreMap } from "maplibre-gl";
import { MOVEMENT_STATUSES, STATUS_COLORS } from "./status";

/** Image ids are this prefix + the status (`fc-arrow-moving`, …); the symbol layer builds them the same way. */
export const ARROW_IMAGE_PREFIX = "fc-arrow-";

/** Image id of the arrow for `status`. */
export const arrowImageId = (status: VehicleMovementStatus): string => `${ARROW_IMAGE_PREFIX}${status}`;

/** Arrow size in CSS pixels. */
export const ARROW_SIZE_PX = 22;

/**
 * An arrow pointing north (0°, so `icon-rotate: headingDeg` turns it clockwise like a compass
 * bearing): a dart filled with `color`, outlined in white so it reads on any basemap.
 * @param sizePx width and height in CSS pixels
 * @param pixelRatio device pixels per CSS pixel (the image is drawn at sizePx × pixelRatio)
 * @returns RGBA pixels, as `map.addImage` takes them with `{ pixelRatio }`
 */
export function drawArrow(color: string, sizePx = ARROW_SIZE_PX, pixelRatio = 2): ImageData {
  const size = Math.round(sizePx * pixelRatio);
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("canvas 2D context unavailable");
  const s = size / 24; // drawn on a 24-unit grid
  ctx.scale(s, s);
  ctx.beginPath();
  ctx.moveTo(12, 2); // tip
  ctx.lineTo(20, 21);
  ctx.lineTo(12, 16.5); // notch
  ctx.lineTo(4, 21);
  ctx.closePath();
  ctx.lineJoin = "round";
  ctx.lineWidth = 2.4;
  ctx.strokeStyle = "#ffffff";
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.fill();
  return ctx.getImageData(0, 0, size, size);
}

/** Registers the arrow of every status (idempotent: a style reload drops images, so call it again). */
export function addArrowImages(map: MapLibreMap, pixelRatio = Math.max(1, Math.min(3, window.devicePixelRatio))): void {
  for (const status of MOVEMENT_STATUSES) {
    const id = arrowImageId(status);
    if (!map.hasImage(id))
      map.addImage(id, drawArrow(STATUS_COLORS[status], ARROW_SIZE_PX, pixelRatio), { pixelRatio });
  }
}
