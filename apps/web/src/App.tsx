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
import { InvitePage } from "./pages/InvitePage";
import { LoginPage } from "./pages/LoginPage";
import { MembersPage } from "./pages/MembersPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { WallPage } from "./pages/WallPage";

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
        <Route
          path="fleet"
          element={
            <RequirePermission resource="fleet" action="read">
              <FleetPage />
            </RequirePermission>
          }
        />
        <Route
          path="members"
          element={
            <RequirePermission resource="members" action="read">
              <MembersPage />
            </RequirePermission>
          }
        />
        <Route
          path="displays"
          element={
            <RequirePermission resource="displays" action="read">
              <DisplaysPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission resource="audit" action="read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route path="account" element={<AccountPage />} />
        <Route path="admin" element={<Navigate to="/admin/tenants" replace />} />
        <Route
          path="admin/tenants"
          element={
            <RequireProvider>
              <TenantsAdminPage />
            </RequireProvider>
          }
        />
        <Route
          path="admin/tenants/:tenantId"
          element={
            <RequireProvider>
              <TenantDetailPage />
            </RequireProvider>
          }
        />
        <Route
          path="admin/audit"
          element={
            <RequireProvider>
              <ProviderAuditPage />
            </RequireProvider>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
