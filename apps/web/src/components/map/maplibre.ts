/**
 * MapLibre GL JS, set up for a bundled, offline app. MapLibre 6 ships ES modules only and starts its
 * web worker from `maplibre-gl-worker.mjs`; inside a bundle it cannot find that file by itself, so
 * the worker is emitted by Vite as an asset of this app (`?url`) and registered with `setWorkerUrl`
 * (MapLibre's v5→v6 migration guide, "setWorkerUrl() is bundler-only"). Import MapLibre through this
 * module so that always happens first; its CSS comes along.
 */
import "maplibre-gl/dist/maplibre-gl.css";
import { setWorkerUrl } from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";

setWorkerUrl(workerUrl);

export * from "maplibre-gl";
