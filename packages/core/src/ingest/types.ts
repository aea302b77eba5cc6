/**
 * What every ingest source (OsmAnd/Traccar Client, Traccar forwarding, the batch API, GTFS-realtime,
 * the simulator) decodes its input into, before validation, device resolution and storage.
 */

/** One decoded GPS fix, in Fleetcore's units. */
export interface DecodedPosition {
  /** The device's own identifier (OsmAnd `id`/`deviceid`, Traccar `uniqueId`, GTFS-rt vehicle id…). */
  uniqueId: string;
  /** Fix time (device clock), UTC. */
  time: Date;
  /** WGS 84 degrees. */
  latitude: number;
  /** WGS 84 degrees. */
  longitude: number;
  /** km/h. */
  speedKph?: number | null;
  /** Course over ground, degrees clockwise from true north, [0, 360). */
  headingDeg?: number | null;
  /** Metres above sea level. */
  altitudeM?: number | null;
  /** Horizontal accuracy radius, metres. */
  accuracyM?: number | null;
  /**
   * The device's own validity flag (OsmAnd `valid`, Traccar `valid`); false lets a (0,0) or
   * otherwise suspicious fix through validation as "the device says so", stored but flagged.
   */
  valid?: boolean | null;
  /** Everything else the source sent (battery, ignition, odometer, event, activity, extras…). */
  attributes: Record<string, unknown>;
}

/** A source's input could not be decoded; `message` says why in words a device integrator understands. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

/** Knots → km/h (1 kn = 1.852 km/h exactly, by definition). */
export const KNOTS_TO_KPH = 1.852;
/** m/s → km/h. */
export const MPS_TO_KPH = 3.6;
