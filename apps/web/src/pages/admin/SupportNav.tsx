import { NavLink } from "react-router";

/** Third-level navigation of the provider support pages. */
export function SupportNav() {
  return (
    <nav className="subnav support-subnav" aria-label="Support desk">
      <NavLink to="/admin/support" end>
        Queue
      </NavLink>
      <NavLink to="/admin/support/metrics">Metrics</NavLink>
      <NavLink to="/admin/support/settings">SLA settings</NavLink>
    </nav>
  );
}
