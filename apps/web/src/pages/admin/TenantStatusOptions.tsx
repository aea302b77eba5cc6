import { TENANT_STATUSES } from "@fleetcore/validators";

/** One `<option>` per tenant status, for a status `<select>`. */
export function TenantStatusOptions() {
  return TENANT_STATUSES.map((s) => (
    <option key={s} value={s}>
      {s}
    </option>
  ));
}
