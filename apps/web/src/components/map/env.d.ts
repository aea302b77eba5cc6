/** Vite environment variables read by the map (set at build time, see README "Live map"). */
interface ImportMetaEnv {
  /** A MapLibre style URL for the basemap; unset = the built-in offline style (no network). */
  readonly VITE_MAP_STYLE_URL?: string;
}
