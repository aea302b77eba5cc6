import type { PermissionResource } from "@fleetcore/validators";
import type { ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AppShell } from "./components/AppShell";
import { RequirePermission, RequireProvider, RequireUser } from "./components/Guards";
import { AccountPage } from "./pages/AccountPage";
import { AuditPage, ProviderAuditPage } from "./pages/AuditPage";
import { TenantDetailPage } from "./pages/admin/TenantDetailPage";
import { TenantsAdminPage } from "./pages/admin/TenantsAdminPage";
import { DisplaysPage } from "./pages/DisplaysPage";
import { FleetPage } from "./pages/FleetPage";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { HomePage } from "./pages/HomePage";
import { IntegrationsPage } from "./pages/IntegrationsPage";
import { InvitePage } from "./pages/InvitePage";
import { LoginPage } from "./pages/LoginPage";
import { MembersPage } from "./pages/MembersPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { WallPage } from "./pages/WallPage";

/** Tenant pages, each behind the read permission on its resource. */
const TENANT_PAGES: { path: string; resource: PermissionResource; page: ReactNode }[] = [
  { path: "fleet", resource: "fleet", page: <FleetPage /> },
  { path: "members", resource: "members", page: <MembersPage /> },
  { path: "displays", resource: "displays", page: <DisplaysPage /> },
  { path: "integrations", resource: "integrations", page: <IntegrationsPage /> },
  { path: "audit", resource: "audit", page: <AuditPage /> },
];

/** Provider back-office pages, for provider staff only. */
const PROVIDER_PAGES: { path: string; page: ReactNode }[] = [
  { path: "admin/tenants", page: <TenantsAdminPage /> },
  { path: "admin/tenants/:tenantId", page: <TenantDetailPage /> },
  { path: "admin/audit", page: <ProviderAuditPage /> },
];

export function App() {
  return (
    <Routes>
      {/* Signed-out pages. */}
      <Route path="/login" element={<LoginPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/invite/:token" element={<InvitePage />} />
      <Route path="/wall" element={<WallPage />} />

      {/* Everything else needs a signed-in person. */}
      <Route
        element={
          <RequireUser>
            <AppShell />
          </RequireUser>
        }
      >
        <Route index element={<HomePage />} />
        {TENANT_PAGES.map(({ path, resource, page }) => (
          <Route
            key={path}
            path={path}
            element={
              <RequirePermission resource={resource} action="read">
                {page}
              </RequirePermission>
            }
          />
        ))}
        <Route path="account" element={<AccountPage />} />
        <Route path="admin" element={<Navigate to="/admin/tenants" replace />} />
        {PROVIDER_PAGES.map(({ path, page }) => (
          <Route key={path} path={path} element={<RequireProvider>{page}</RequireProvider>} />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
