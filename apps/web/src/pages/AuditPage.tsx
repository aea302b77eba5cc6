import { ProviderAuditLog, TenantAuditLog } from "../components/AuditLogViewer";
import { useSignedIn } from "../components/Guards";

export function AuditPage() {
  const me = useSignedIn();
  return (
    <>
      <section className="panel">
        <h1>Audit log</h1>
        <p className="muted">Who changed what in {me.activeTenant?.name}, newest first.</p>
      </section>
      <TenantAuditLog />
    </>
  );
}

export function ProviderAuditPage() {
  return (
    <>
      <section className="panel">
        <h1>Provider audit log</h1>
        <p className="muted">Every tenant's audit log, newest first.</p>
      </section>
      <ProviderAuditLog />
    </>
  );
}
