-- Accounts, sessions, invitations, display tokens, account managers, audit log, email outbox,
-- and row-level security on every tenant-scoped table.
--
-- Requires the role `fleetcore_app` (LOGIN NOSUPERUSER NOBYPASSRLS, not the owner of anything):
-- the application connects as it, migrations run as the database owner. `npm start` and
-- docker/initdb create it; elsewhere create it first (see README "Database roles").
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleetcore_app') THEN
    RAISE EXCEPTION 'role fleetcore_app does not exist: create it (CREATE ROLE fleetcore_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ...) before migrating';
  END IF;
END $$;

-- CreateEnum
CREATE TYPE "adm_invitation_status" AS ENUM ('pending', 'accepted', 'declined', 'revoked');

-- CreateEnum
CREATE TYPE "adm_account_manager_role" AS ENUM ('owner', 'coordinator', 'technical_contact', 'billing_contact');

-- CreateEnum
CREATE TYPE "adm_audit_actor_type" AS ENUM ('user', 'provider', 'display', 'system');

-- AlterTable
ALTER TABLE "adm_sessions" ADD COLUMN     "display_token_id" UUID,
ALTER COLUMN "user_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "adm_password_reset_tokens" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip_address" TEXT,

    CONSTRAINT "adm_password_reset_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_invitations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "status" "adm_invitation_status" NOT NULL DEFAULT 'pending',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "invited_by_user_id" UUID,
    "accepted_user_id" UUID,
    "responded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_display_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_display_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_tenant_account_managers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "employee_id" UUID NOT NULL,
    "role" "adm_account_manager_role" NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_tenant_account_managers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_audit_logs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID,
    "actor_type" "adm_audit_actor_type" NOT NULL,
    "actor_user_id" UUID,
    "actor_email" TEXT,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT,
    "action" TEXT NOT NULL,
    "changes" JSONB NOT NULL DEFAULT '{}',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "ip_address" TEXT,
    "user_agent" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_email_outbox" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID,
    "to_email" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text_body" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "adm_email_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "adm_password_reset_tokens_user_id_idx" ON "adm_password_reset_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "adm_invitations_token_hash_key" ON "adm_invitations"("token_hash");

-- CreateIndex
CREATE INDEX "adm_invitations_tenant_id_status_idx" ON "adm_invitations"("tenant_id", "status");

-- CreateIndex
CREATE INDEX "adm_invitations_email_idx" ON "adm_invitations"("email");

-- CreateIndex
CREATE UNIQUE INDEX "adm_display_tokens_token_hash_key" ON "adm_display_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "adm_display_tokens_tenant_id_idx" ON "adm_display_tokens"("tenant_id");

-- CreateIndex
CREATE INDEX "adm_tenant_account_managers_tenant_id_idx" ON "adm_tenant_account_managers"("tenant_id");

-- CreateIndex
CREATE INDEX "adm_tenant_account_managers_employee_id_idx" ON "adm_tenant_account_managers"("employee_id");

-- CreateIndex
CREATE INDEX "adm_audit_logs_tenant_id_created_at_idx" ON "adm_audit_logs"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "adm_audit_logs_entity_type_entity_id_idx" ON "adm_audit_logs"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "adm_audit_logs_actor_user_id_created_at_idx" ON "adm_audit_logs"("actor_user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "adm_audit_logs_created_at_idx" ON "adm_audit_logs"("created_at" DESC);

-- CreateIndex
CREATE INDEX "adm_email_outbox_to_email_created_at_idx" ON "adm_email_outbox"("to_email", "created_at" DESC);

-- CreateIndex
CREATE INDEX "adm_email_outbox_sent_at_idx" ON "adm_email_outbox"("sent_at");

-- CreateIndex
CREATE INDEX "adm_sessions_display_token_id_idx" ON "adm_sessions"("display_token_id");

-- AddForeignKey
ALTER TABLE "adm_sessions" ADD CONSTRAINT "adm_sessions_display_token_id_fkey" FOREIGN KEY ("display_token_id") REFERENCES "adm_display_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_password_reset_tokens" ADD CONSTRAINT "adm_password_reset_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "adm_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_invitations" ADD CONSTRAINT "adm_invitations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_invitations" ADD CONSTRAINT "adm_invitations_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "adm_roles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_invitations" ADD CONSTRAINT "adm_invitations_invited_by_user_id_fkey" FOREIGN KEY ("invited_by_user_id") REFERENCES "adm_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_display_tokens" ADD CONSTRAINT "adm_display_tokens_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_display_tokens" ADD CONSTRAINT "adm_display_tokens_created_by_user_id_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "adm_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_tenant_account_managers" ADD CONSTRAINT "adm_tenant_account_managers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_tenant_account_managers" ADD CONSTRAINT "adm_tenant_account_managers_employee_id_fkey" FOREIGN KEY ("employee_id") REFERENCES "adm_provider_employees"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written: constraints Prisma cannot express
-- ---------------------------------------------------------------------------------------------

-- A session belongs to exactly one subject: a person or a wall display.
ALTER TABLE "adm_sessions" ADD CONSTRAINT "adm_sessions_subject_check"
  CHECK (("user_id" IS NULL) <> ("display_token_id" IS NULL));

-- The audit log is append-only, for every role (the owner included): updates, deletes and
-- truncation raise. The application role additionally has no UPDATE/DELETE privilege (below).
CREATE FUNCTION "adm_audit_logs_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'adm_audit_logs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "adm_audit_logs_no_update_delete" BEFORE UPDATE OR DELETE ON "adm_audit_logs"
  FOR EACH ROW EXECUTE FUNCTION "adm_audit_logs_append_only"();
CREATE TRIGGER "adm_audit_logs_no_truncate" BEFORE TRUNCATE ON "adm_audit_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION "adm_audit_logs_append_only"();

-- ---------------------------------------------------------------------------------------------
-- The built-in tenant roles (system roles: tenant_id null) are reference data every database
-- needs, so they live here rather than in the demo seed. permissions: resource -> actions, "*" = all
-- (catalog: packages/validators/src/permissions.ts).
-- ---------------------------------------------------------------------------------------------
WITH system_roles(name, description, permissions) AS (VALUES
  ('owner', 'Everything, including billing and the last word on members', '{"*": ["*"]}'::jsonb),
  ('admin', 'Manage the fleet, members, displays, integrations and settings; read the audit log',
   '{"fleet": ["read", "write"], "positions": ["read"], "messages": ["read", "write"], "events": ["acknowledge", "read"],
     "members": ["read", "write"], "displays": ["read", "write"], "integrations": ["read", "write"],
     "audit": ["read"], "settings": ["read", "write"], "billing": ["read"]}'::jsonb),
  ('dispatcher', 'Run live operations: map, messages, events',
   '{"fleet": ["read"], "positions": ["read"], "messages": ["read", "write"], "events": ["acknowledge", "read"]}'::jsonb),
  ('viewer', 'Read-only access to the fleet and live operations',
   '{"fleet": ["read"], "positions": ["read"], "messages": ["read"], "events": ["read"]}'::jsonb)
), updated AS (
  UPDATE "adm_roles" r SET description = s.description, permissions = s.permissions, updated_at = now()
  FROM system_roles s WHERE r.tenant_id IS NULL AND r.name = s.name
  RETURNING r.name
)
INSERT INTO "adm_roles" (name, description, permissions, updated_at)
SELECT s.name, s.description, s.permissions, now() FROM system_roles s
WHERE NOT EXISTS (SELECT 1 FROM "adm_roles" r WHERE r.tenant_id IS NULL AND r.name = s.name);

-- ---------------------------------------------------------------------------------------------
-- Row-level security
--
-- Every request runs in a transaction that first sets (SET LOCAL semantics, via set_config(…, true)):
--   app.tenant_id  the tenant the caller is acting in (tenant users, wall displays)
--   app.user_id    the signed-in person, if any
--   app.scope      'tenant' (default), 'provider' (Fleetcore staff, cross-tenant, audited in the
--                  API) or 'system' (platform internals: session lookup, ingest device resolution,
--                  jobs). See packages/db/src/scope.ts.
-- Unset settings read as '' (current_setting(…, true) after a transaction ends), hence nullif.
-- With no setting at all, every policy below denies: forgetting to scope a query returns nothing.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION "app_tenant_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
CREATE FUNCTION "app_user_id"() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
-- True for the provider and system scopes, which may cross tenants.
CREATE FUNCTION "app_cross_tenant"() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.scope', true), '') IN ('provider', 'system') $$;

-- Plain tenant-scoped tables (hypertable included): rows of the current tenant, or any row in a
-- cross-tenant scope. TimescaleDB applies the hypertable's policies to all its chunks.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flt_vehicles', 'rid_drivers', 'tel_devices', 'tel_positions',
                           'adm_invitations', 'adm_display_tokens', 'adm_tenant_lifecycle_events']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_cross_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant())', t);
  END LOOP;
END $$;

-- Tenants: your current tenant, plus (read-only) every tenant you are a member of — the switcher.
ALTER TABLE "adm_tenants" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "adm_tenants"
  USING (id = app_tenant_id() OR app_cross_tenant())
  WITH CHECK (id = app_tenant_id() OR app_cross_tenant());
CREATE POLICY own_memberships ON "adm_tenants" FOR SELECT
  USING (id IN (SELECT m.tenant_id FROM adm_members m WHERE m.user_id = app_user_id() AND m.deleted_at IS NULL));

-- Members and their role assignments: the current tenant's, plus your own in any tenant.
ALTER TABLE "adm_members" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "adm_members"
  USING (tenant_id = app_tenant_id() OR app_cross_tenant())
  WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant());
CREATE POLICY own_memberships ON "adm_members" FOR SELECT USING (user_id = app_user_id());

ALTER TABLE "adm_member_roles" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "adm_member_roles"
  USING (tenant_id = app_tenant_id() OR app_cross_tenant())
  WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant());
CREATE POLICY own_memberships ON "adm_member_roles" FOR SELECT
  USING (member_id IN (SELECT m.id FROM adm_members m WHERE m.user_id = app_user_id()));

-- Roles: system roles (tenant_id null) are readable by all; tenant roles by their tenant.
ALTER TABLE "adm_roles" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "adm_roles"
  USING (tenant_id = app_tenant_id() OR app_cross_tenant())
  WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant());
CREATE POLICY system_roles ON "adm_roles" FOR SELECT USING (tenant_id IS NULL);
CREATE POLICY own_memberships ON "adm_roles" FOR SELECT
  USING (id IN (SELECT mr.role_id FROM adm_member_roles mr JOIN adm_members m ON m.id = mr.member_id
                WHERE m.user_id = app_user_id()));

-- Users (global identities): yourself, members of the current tenant, and provider staff
-- (account managers are shown to their tenants). Never other tenants' people.
ALTER TABLE "adm_users" ENABLE ROW LEVEL SECURITY;
CREATE POLICY self_or_cross ON "adm_users"
  USING (id = app_user_id() OR app_cross_tenant())
  WITH CHECK (id = app_user_id() OR app_cross_tenant());
CREATE POLICY tenant_members ON "adm_users" FOR SELECT
  USING (id IN (SELECT m.user_id FROM adm_members m WHERE m.tenant_id = app_tenant_id())
         OR id IN (SELECT e.user_id FROM adm_provider_employees e WHERE e.deleted_at IS NULL));

-- Provider staff directory: readable by everyone signed in; written only cross-tenant.
ALTER TABLE "adm_provider_employees" ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON "adm_provider_employees" FOR SELECT USING (true);
CREATE POLICY cross_write ON "adm_provider_employees" USING (app_cross_tenant()) WITH CHECK (app_cross_tenant());

-- Account-manager assignments: tenants read their own; only provider/system scopes write.
ALTER TABLE "adm_tenant_account_managers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON "adm_tenant_account_managers" FOR SELECT USING (tenant_id = app_tenant_id());
CREATE POLICY cross_write ON "adm_tenant_account_managers" USING (app_cross_tenant()) WITH CHECK (app_cross_tenant());

-- Sessions: your own; a tenant's wall-display sessions to that tenant (revocation); cross scopes.
ALTER TABLE "adm_sessions" ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_or_cross ON "adm_sessions"
  USING (user_id = app_user_id()
         OR (display_token_id IS NOT NULL AND active_tenant_id = app_tenant_id())
         OR app_cross_tenant())
  WITH CHECK (user_id = app_user_id()
         OR (display_token_id IS NOT NULL AND active_tenant_id = app_tenant_id())
         OR app_cross_tenant());

-- Password reset tokens: platform internals only.
ALTER TABLE "adm_password_reset_tokens" ENABLE ROW LEVEL SECURITY;
CREATE POLICY cross_only ON "adm_password_reset_tokens" USING (app_cross_tenant()) WITH CHECK (app_cross_tenant());

-- Email outbox: a tenant may enqueue its own mail (invitations); reading is for the platform.
ALTER TABLE "adm_email_outbox" ENABLE ROW LEVEL SECURITY;
CREATE POLICY cross_all ON "adm_email_outbox" USING (app_cross_tenant()) WITH CHECK (app_cross_tenant());
CREATE POLICY tenant_enqueue ON "adm_email_outbox" FOR INSERT WITH CHECK (tenant_id = app_tenant_id());

-- Audit log: a tenant reads its own entries; anyone may append for the current tenant or for no
-- tenant (e.g. failed logins); cross scopes read and append everywhere. No UPDATE/DELETE policy.
ALTER TABLE "adm_audit_logs" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON "adm_audit_logs" FOR SELECT USING (tenant_id = app_tenant_id() OR app_cross_tenant());
CREATE POLICY append ON "adm_audit_logs" FOR INSERT
  WITH CHECK (tenant_id IS NULL OR tenant_id = app_tenant_id() OR app_cross_tenant());

-- ---------------------------------------------------------------------------------------------
-- Privileges of the application role. The owner (migrations, seed) bypasses RLS as table owner;
-- the application never connects as the owner.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO fleetcore_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fleetcore_app;
REVOKE ALL ON "_prisma_migrations" FROM fleetcore_app;
GRANT SELECT ON "_prisma_migrations" TO fleetcore_app;
REVOKE UPDATE, DELETE, TRUNCATE ON "adm_audit_logs" FROM fleetcore_app;
-- Tables created by later migrations get the same DML grants (RLS must still be enabled on them:
-- packages/db/test/rls.test.ts fails for any table with a tenant_id column and no policy).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO fleetcore_app;
