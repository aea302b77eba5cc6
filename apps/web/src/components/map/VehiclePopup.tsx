/**
 * What the popup of a selected vehicle says: name, driver, speed, last seen, status. Rendered by
 * FleetMap into the MapLibre popup through a React portal, so it updates with the live data.
 */
import type { LivePosition, VehicleMovementStatus } from "@fleetcore/realtime";
import { driverNameOf, formatAgo, formatSpeed } from "./format";
import { STATUS_LABELS } from "./status";

/** Props: the vehicle's list entry (names; may be missing for a vehicle created since the list loaded). */
export interface VehiclePopupProps {
  vehicle: { name: string; licensePlate: string | null; currentDriver?: { name: string } | null } | undefined;
  position: LivePosition | undefined;
  status: VehicleMovementStatus;
  nowMs: number;
  following: boolean;
  onFollow: (follow: boolean) => void;
}

/** Popup body. Speed in km/h from the newest fix; "last seen" is its fix time. */
export function VehiclePopup({ vehicle, position, status, nowMs, following, onFollow }: VehiclePopupProps) {
  return (
    <div className="fc-popup">
      <p className="fc-popup-title">
        <strong>{vehicle?.name ?? "Unknown vehicle"}</strong>
        {vehicle?.licensePlate && <span className="fc-popup-plate">{vehicle.licensePlate}</span>}
      </p>
      <dl>
        <dt>Driver</dt>
        <dd>{driverNameOf(vehicle)}</dd>
        <dt>Speed</dt>
        <dd>{formatSpeed(position?.speedKph)}</dd>
        <dt>Last seen</dt>
        <dd>
          {position ? (
            <time dateTime={position.time} title={new Date(position.time).toLocaleString()}>
              {formatAgo(position.time, nowMs)}
            </time>
          ) : (
            "never"
          )}
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`fc-status fc-status-${status}`}>{STATUS_LABELS[status]}</span>
        </dd>
      </dl>
      <button type="button" className="button-secondary" aria-pressed={following} onClick={() => onFollow(!following)}>
        {following ? "Stop following" : "Follow"}
      </button>
    </div>
  );
}
