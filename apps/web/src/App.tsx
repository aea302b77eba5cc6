import type { PermissionResource } from "@fleetcore/validators";
import { lazy, type ReactNode, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AppShell } from "./components/AppShell";
import { RequirePermission, RequireProvider, RequireUser } from "./components/Guards";
import { AccountPage } from "./pages/AccountPage";
import { AuditPage, ProviderAuditPage } from "./pages/AuditPage";
import { SupportQueuePage } from "./pages/admin/SupportQueuePage";
import { SupportSettingsPage } from "./pages/admin/SupportSettingsPage";
import { SupportTicketAdminPage } from "./pages/admin/SupportTicketAdminPage";
import { TenantDetailPage } from "./pages/admin/TenantDetailPage";
import { TenantsAdminPage } from "./pages/admin/TenantsAdminPage";
import { BillingPage } from "./pages/BillingPage";
import { DisplaysPage } from "./pages/DisplaysPage";
import { DriversPage } from "./pages/DriversPage";
import { FeedPage } from "./pages/FeedPage";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { GtfsFeedsPage } from "./pages/GtfsFeedsPage";
import { HomePage } from "./pages/HomePage";
import { IntegrationsPage } from "./pages/IntegrationsPage";
import { InvitePage } from "./pages/InvitePage";
import { LoginPage } from "./pages/LoginPage";
import { MembersPage } from "./pages/MembersPage";
import { MessagingSettingsPage } from "./pages/MessagingSettingsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { SupportPage } from "./pages/support/SupportPage";
import { SupportTicketPage } from "./pages/support/SupportTicketPage";
import { VehicleDetailPage } from "./pages/VehicleDetailPage";
import { VehiclesPage } from "./pages/VehiclesPage";

/** Pages with a map pull in MapLibre (~1 MB): their own chunks, loaded on first visit. */
const LiveMapPage = lazy(() => import("./pages/LiveMapPage").then((m) => ({ default: m.LiveMapPage })));
const GeofencesPage = lazy(() => import("./pages/GeofencesPage").then((m) => ({ default: m.GeofencesPage })));
const ReplayPage = lazy(() => import("./pages/ReplayPage").then((m) => ({ default: m.ReplayPage })));
const WallPage = lazy(() => import("./pages/WallPage").then((m) => ({ default: m.WallPage })));
/** Charts pull in recharts: their own chunk too. */
const MessageAnalyticsPage = lazy(() =>
  import("./pages/MessageAnalyticsPage").then((m) => ({ default: m.MessageAnalyticsPage })),
);

/** A lazily loaded map page, with a note while its chunk loads. */
const withMap = (page: ReactNode) => <Suspense fallback={<p className="muted">Loading the map…</p>}>{page}</Suspense>;

/** Tenant pages, each behind the read permission on its resource. */
const TENANT_PAGES: { path: string; resource: PermissionResource; page: ReactNode }[] = [
  { path: "vehicles", resource: "fleet", page: <VehiclesPage /> },
  { path: "vehicles/:vehicleId", resource: "fleet", page: <VehicleDetailPage /> },
  { path: "drivers", resource: "fleet", page: <DriversPage /> },
  // The former fleet page's address (bookmarks, older links).
  { path: "fleet", resource: "fleet", page: <Navigate to="/vehicles" replace /> },
  {
    path: "map",
    resource: "fleet",
    page: withMap(<LiveMapPage />),
  },
  { path: "geofences", resource: "fleet", page: withMap(<GeofencesPage />) },
  { path: "members", resource: "members", page: <MembersPage /> },
  { path: "displays", resource: "displays", page: <DisplaysPage /> },
  { path: "integrations", resource: "integrations", page: <IntegrationsPage /> },
  { path: "integrations/gtfs", resource: "integrations", page: <GtfsFeedsPage /> },
  { path: "replay", resource: "positions", page: withMap(<ReplayPage />) },
  { path: "audit", resource: "audit", page: <AuditPage /> },
  { path: "feed", resource: "events", page: <FeedPage /> },
  { path: "support", resource: "support", page: <SupportPage /> },
  { path: "support/tickets/:ticketId", resource: "support", page: <SupportTicketPage /> },
  { path: "settings/messaging", resource: "settings", page: <MessagingSettingsPage /> },
  { path: "billing", resource: "billing", page: <BillingPage /> },
  {
    path: "analytics/messages",
    resource: "messages",
    page: (
      <Suspense fallback={<p className="muted">Loading the charts…</p>}>
        <MessageAnalyticsPage />
      </Suspense>
    ),
  },
];

/** Billing admin: MRR charts pull in recharts. */
const BillingAdminPage = lazy(() =>
  import("./pages/admin/BillingAdminPage").then((m) => ({ default: m.BillingAdminPage })),
);

/** The analyst chart explorer: recharts, its own chunk. */
const ExplorerPage = lazy(() => import("./pages/admin/ExplorerPage").then((m) => ({ default: m.ExplorerPage })));

const SupportMetricsPage = lazy(() =>
  import("./pages/admin/SupportMetricsPage").then((m) => ({ default: m.SupportMetricsPage })),
);

/** CRM pages (provider staff): their own chunks; the forecast pulls in recharts. */
const LeadsPage = lazy(() => import("./pages/admin/crm/LeadsPage").then((m) => ({ default: m.LeadsPage })));
const PipelinePage = lazy(() => import("./pages/admin/crm/PipelinePage").then((m) => ({ default: m.PipelinePage })));
const ForecastPage = lazy(() => import("./pages/admin/crm/ForecastPage").then((m) => ({ default: m.ForecastPage })));
const ContractsPage = lazy(() => import("./pages/admin/crm/ContractsPage").then((m) => ({ default: m.ContractsPage })));
const TenantSuccessPage = lazy(() =>
  import("./pages/admin/crm/TenantSuccessPage").then((m) => ({ default: m.TenantSuccessPage })),
);
/** Account manager screens (portfolio and tenant health): their own chunks, with recharts. */
const PortfolioPage = lazy(() =>
  import("./pages/admin/health/PortfolioPage").then((m) => ({ default: m.PortfolioPage })),
);
const TenantHealthPage = lazy(() =>
  import("./pages/admin/health/TenantHealthPage").then((m) => ({ default: m.TenantHealthPage })),
);
const HealthProfilesPage = lazy(() =>
  import("./pages/admin/health/HealthProfilesPage").then((m) => ({ default: m.HealthProfilesPage })),
);
const withCrm = (page: ReactNode) => <Suspense fallback={<p className="muted">Loading…</p>}>{page}</Suspense>;

/** Provider back-office pages, for provider staff only. */
const PROVIDER_PAGES: { path: string; page: ReactNode }[] = [
  { path: "admin/tenants", page: <TenantsAdminPage /> },
  { path: "admin/tenants/:tenantId", page: <TenantDetailPage /> },
  { path: "admin/audit", page: <ProviderAuditPage /> },
  { path: "admin/support", page: <SupportQueuePage /> },
  { path: "admin/support/tickets/:ticketId", page: <SupportTicketAdminPage /> },
  { path: "admin/support/settings", page: <SupportSettingsPage /> },
  {
    path: "admin/support/metrics",
    page: (
      <Suspense fallback={<p className="muted">Loading the charts…</p>}>
        <SupportMetricsPage />
      </Suspense>
    ),
  },
  {
    path: "admin/billing",
    page: (
      <Suspense fallback={<p className="muted">Loading the charts…</p>}>
        <BillingAdminPage />
      </Suspense>
    ),
  },
  {
    path: "admin/explorer",
    page: (
      <Suspense fallback={<p className="muted">Loading the charts…</p>}>
        <ExplorerPage />
      </Suspense>
    ),
  },
  { path: "admin/crm/leads", page: withCrm(<LeadsPage />) },
  { path: "admin/crm/pipeline", page: withCrm(<PipelinePage />) },
  { path: "admin/crm/forecast", page: withCrm(<ForecastPage />) },
  { path: "admin/crm/contracts", page: withCrm(<ContractsPage />) },
  { path: "admin/tenants/:tenantId/success", page: withCrm(<TenantSuccessPage />) },
  { path: "admin/portfolio", page: withCrm(<PortfolioPage />) },
  { path: "admin/portfolio/:tenantId", page: withCrm(<TenantHealthPage />) },
  { path: "admin/health/profiles", page: withCrm(<HealthProfilesPage />) },
];

export function App() {
  return (
    <Routes>
      {/* Signed-out pages. */}
      <Route path="/login" element={<LoginPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/invite/:token" element={<InvitePage />} />
      <Route path="/wall" element={withMap(<WallPage />)} />

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
