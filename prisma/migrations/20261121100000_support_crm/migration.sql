-- Support desk (sup_), stored files (doc_files), in-app notifications (adm_notifications) and CRM
-- (crm_). Generated from prisma/schema.prisma by Prisma's schema differ (WASM build), followed by
-- hand-written row-level security, CHECK constraints and seed rows for the configurable tables.

-- CreateEnum
CREATE TYPE "sup_ticket_category" AS ENUM ('technical', 'billing', 'training', 'feature_request', 'commercial');

-- CreateEnum
CREATE TYPE "sup_ticket_priority" AS ENUM ('low', 'medium', 'high', 'urgent');

-- CreateEnum
CREATE TYPE "sup_ticket_status" AS ENUM ('open', 'in_progress', 'awaiting_customer', 'resolved', 'closed');

-- CreateEnum
CREATE TYPE "sup_feedback_kind" AS ENUM ('csat', 'nps');

-- CreateEnum
CREATE TYPE "crm_lead_status" AS ENUM ('new', 'contacted', 'qualified', 'unqualified', 'converted');

-- CreateEnum
CREATE TYPE "crm_priority" AS ENUM ('low', 'medium', 'high');

-- CreateEnum
CREATE TYPE "crm_pipeline_stage" AS ENUM ('prospecting', 'qualified', 'proposal_sent', 'negotiation', 'won', 'lost');

-- CreateEnum
CREATE TYPE "crm_contract_status" AS ENUM ('active', 'expired', 'terminated', 'pending_renewal');

-- CreateEnum
CREATE TYPE "crm_engagement_type" AS ENUM ('meeting', 'call', 'email', 'note', 'demo', 'training');

-- CreateEnum
CREATE TYPE "crm_engagement_outcome" AS ENUM ('positive', 'neutral', 'negative', 'action_required');

-- CreateEnum
CREATE TYPE "crm_goal_metric_type" AS ENUM ('accounts', 'arr', 'nps', 'health_score', 'adoption', 'renewals', 'seat_count', 'custom');

-- CreateEnum
CREATE TYPE "crm_goal_period" AS ENUM ('daily', 'weekly', 'monthly', 'quarterly', 'yearly');

-- CreateEnum
CREATE TYPE "crm_goal_status" AS ENUM ('on_track', 'at_risk', 'achieved', 'missed');

-- CreateTable
CREATE TABLE "sup_tickets" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "number" SERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "submitted_by" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "category" "sup_ticket_category" NOT NULL,
    "priority" "sup_ticket_priority" NOT NULL,
    "status" "sup_ticket_status" NOT NULL DEFAULT 'open',
    "assigned_to" UUID,
    "first_response_at" TIMESTAMPTZ(3),
    "first_response_due_at" TIMESTAMPTZ(3),
    "resolution_due_at" TIMESTAMPTZ(3),
    "sla_paused_at" TIMESTAMPTZ(3),
    "first_response_minutes" INTEGER,
    "resolution_minutes" INTEGER,
    "last_customer_reply_at" TIMESTAMPTZ(3),
    "last_agent_reply_at" TIMESTAMPTZ(3),
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sup_ticket_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "sender_user_id" UUID,
    "sender_kind" TEXT NOT NULL,
    "internal" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_ticket_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sup_ticket_status_changes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "from_status" "sup_ticket_status",
    "to_status" "sup_ticket_status" NOT NULL,
    "changed_by_user_id" UUID,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_ticket_status_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sup_ticket_attachments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "ticket_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "message_id" UUID,
    "file_id" UUID NOT NULL,
    "internal" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_ticket_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sup_sla_policies" (
    "priority" "sup_ticket_priority" NOT NULL,
    "first_response_minutes" INTEGER NOT NULL,
    "resolution_minutes" INTEGER NOT NULL,
    "business_hours_only" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_sla_policies_pkey" PRIMARY KEY ("priority")
);

-- CreateTable
CREATE TABLE "sup_business_calendar" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "workdays" INTEGER[] DEFAULT ARRAY[1, 2, 3, 4, 5]::INTEGER[],
    "day_start" TEXT NOT NULL DEFAULT '09:00',
    "day_end" TEXT NOT NULL DEFAULT '18:00',
    "holidays" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_business_calendar_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sup_customer_feedback" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "kind" "sup_feedback_kind" NOT NULL,
    "ticket_id" UUID,
    "recipient_user_id" UUID NOT NULL,
    "rating" INTEGER,
    "comment" TEXT,
    "requested_by_user_id" UUID,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "responded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sup_customer_feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doc_files" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID,
    "provider_only" BOOLEAN NOT NULL DEFAULT false,
    "file_name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "uploaded_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "doc_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "tenant_id" UUID,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT,
    "link" TEXT,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_leads" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "company_name" TEXT NOT NULL,
    "contact_name" TEXT NOT NULL,
    "contact_email" TEXT,
    "contact_phone" TEXT,
    "source" TEXT NOT NULL,
    "status" "crm_lead_status" NOT NULL DEFAULT 'new',
    "priority" "crm_priority" NOT NULL DEFAULT 'medium',
    "fleet_size" INTEGER,
    "country_code" TEXT,
    "notes" TEXT,
    "owner_employee_id" UUID,
    "converted_opportunity_id" UUID,
    "converted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "crm_leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_opportunities" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "lead_id" UUID,
    "tenant_id" UUID,
    "stage" "crm_pipeline_stage" NOT NULL DEFAULT 'prospecting',
    "estimated_value_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "close_date" DATE NOT NULL,
    "probability_pct" INTEGER,
    "account_manager_id" UUID,
    "board_rank" INTEGER NOT NULL DEFAULT 0,
    "stage_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "lost_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "crm_opportunities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_stage_probabilities" (
    "stage" "crm_pipeline_stage" NOT NULL,
    "probability_pct" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_stage_probabilities_pkey" PRIMARY KEY ("stage")
);

-- CreateTable
CREATE TABLE "crm_contracts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "opportunity_id" UUID,
    "plan_name" TEXT NOT NULL,
    "effective_date" DATE NOT NULL,
    "expiry_date" DATE NOT NULL,
    "annual_value_minor" BIGINT,
    "currency" CHAR(3),
    "terms" TEXT,
    "document_file_id" UUID,
    "status" "crm_contract_status" NOT NULL DEFAULT 'active',
    "auto_renew" BOOLEAN NOT NULL DEFAULT false,
    "renews_contract_id" UUID,
    "terminated_at" TIMESTAMPTZ(3),
    "termination_reason" TEXT,
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_contract_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contract_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "from_status" "crm_contract_status",
    "to_status" "crm_contract_status",
    "actor_user_id" UUID,
    "details" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_contract_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_engagements" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "created_by" UUID,
    "type" "crm_engagement_type" NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "outcome" "crm_engagement_outcome",
    "scheduled_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "attendees" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "crm_engagements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_goals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "metric_type" "crm_goal_metric_type" NOT NULL,
    "current_value" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "target_value" DECIMAL(16,2) NOT NULL,
    "unit" TEXT,
    "measurement_period" "crm_goal_period" NOT NULL,
    "status" "crm_goal_status" NOT NULL DEFAULT 'on_track',
    "target_date" DATE,
    "completion_date" DATE,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "crm_goals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "sup_tickets_number_key" ON "sup_tickets"("number");

-- CreateIndex
CREATE INDEX "sup_tickets_tenant_id_created_at_idx" ON "sup_tickets"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "sup_tickets_status_priority_idx" ON "sup_tickets"("status", "priority");

-- CreateIndex
CREATE INDEX "sup_tickets_assigned_to_status_idx" ON "sup_tickets"("assigned_to", "status");

-- CreateIndex
CREATE INDEX "sup_ticket_messages_ticket_id_created_at_idx" ON "sup_ticket_messages"("ticket_id", "created_at");

-- CreateIndex
CREATE INDEX "sup_ticket_messages_tenant_id_created_at_idx" ON "sup_ticket_messages"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "sup_ticket_status_changes_ticket_id_created_at_idx" ON "sup_ticket_status_changes"("ticket_id", "created_at");

-- CreateIndex
CREATE INDEX "sup_ticket_status_changes_tenant_id_created_at_idx" ON "sup_ticket_status_changes"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "sup_ticket_attachments_ticket_id_idx" ON "sup_ticket_attachments"("ticket_id");

-- CreateIndex
CREATE INDEX "sup_ticket_attachments_tenant_id_idx" ON "sup_ticket_attachments"("tenant_id");

-- CreateIndex
CREATE INDEX "sup_ticket_attachments_file_id_idx" ON "sup_ticket_attachments"("file_id");

-- CreateIndex
CREATE INDEX "sup_customer_feedback_tenant_id_responded_at_idx" ON "sup_customer_feedback"("tenant_id", "responded_at" DESC);

-- CreateIndex
CREATE INDEX "sup_customer_feedback_recipient_user_id_responded_at_idx" ON "sup_customer_feedback"("recipient_user_id", "responded_at");

-- CreateIndex
CREATE INDEX "sup_customer_feedback_ticket_id_idx" ON "sup_customer_feedback"("ticket_id");

-- CreateIndex
CREATE INDEX "doc_files_tenant_id_idx" ON "doc_files"("tenant_id");

-- CreateIndex
CREATE INDEX "adm_notifications_user_id_created_at_idx" ON "adm_notifications"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "adm_notifications_user_id_read_at_idx" ON "adm_notifications"("user_id", "read_at");

-- CreateIndex
CREATE UNIQUE INDEX "crm_leads_converted_opportunity_id_key" ON "crm_leads"("converted_opportunity_id");

-- CreateIndex
CREATE INDEX "crm_leads_status_created_at_idx" ON "crm_leads"("status", "created_at" DESC);

-- CreateIndex
CREATE INDEX "crm_leads_owner_employee_id_idx" ON "crm_leads"("owner_employee_id");

-- CreateIndex
CREATE INDEX "crm_opportunities_stage_close_date_idx" ON "crm_opportunities"("stage", "close_date");

-- CreateIndex
CREATE INDEX "crm_opportunities_tenant_id_idx" ON "crm_opportunities"("tenant_id");

-- CreateIndex
CREATE INDEX "crm_opportunities_account_manager_id_idx" ON "crm_opportunities"("account_manager_id");

-- CreateIndex
CREATE INDEX "crm_contracts_tenant_id_expiry_date_idx" ON "crm_contracts"("tenant_id", "expiry_date");

-- CreateIndex
CREATE INDEX "crm_contracts_status_expiry_date_idx" ON "crm_contracts"("status", "expiry_date");

-- CreateIndex
CREATE INDEX "crm_contract_events_tenant_id_occurred_at_idx" ON "crm_contract_events"("tenant_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "crm_contract_events_contract_id_occurred_at_idx" ON "crm_contract_events"("contract_id", "occurred_at");

-- CreateIndex
CREATE INDEX "crm_engagements_tenant_id_created_at_idx" ON "crm_engagements"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "crm_engagements_tenant_id_completed_at_idx" ON "crm_engagements"("tenant_id", "completed_at" DESC);

-- CreateIndex
CREATE INDEX "crm_goals_tenant_id_idx" ON "crm_goals"("tenant_id");

-- AddForeignKey
ALTER TABLE "sup_tickets" ADD CONSTRAINT "sup_tickets_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_tickets" ADD CONSTRAINT "sup_tickets_submitted_by_fkey" FOREIGN KEY ("submitted_by") REFERENCES "adm_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_tickets" ADD CONSTRAINT "sup_tickets_assigned_to_fkey" FOREIGN KEY ("assigned_to") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_messages" ADD CONSTRAINT "sup_ticket_messages_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "sup_tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_messages" ADD CONSTRAINT "sup_ticket_messages_sender_user_id_fkey" FOREIGN KEY ("sender_user_id") REFERENCES "adm_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_status_changes" ADD CONSTRAINT "sup_ticket_status_changes_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "sup_tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_attachments" ADD CONSTRAINT "sup_ticket_attachments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "sup_tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_attachments" ADD CONSTRAINT "sup_ticket_attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "sup_ticket_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_ticket_attachments" ADD CONSTRAINT "sup_ticket_attachments_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "doc_files"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_customer_feedback" ADD CONSTRAINT "sup_customer_feedback_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sup_customer_feedback" ADD CONSTRAINT "sup_customer_feedback_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "sup_tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_leads" ADD CONSTRAINT "crm_leads_owner_employee_id_fkey" FOREIGN KEY ("owner_employee_id") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_leads" ADD CONSTRAINT "crm_leads_converted_opportunity_id_fkey" FOREIGN KEY ("converted_opportunity_id") REFERENCES "crm_opportunities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "crm_leads"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_account_manager_id_fkey" FOREIGN KEY ("account_manager_id") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_contracts" ADD CONSTRAINT "crm_contracts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_contracts" ADD CONSTRAINT "crm_contracts_opportunity_id_fkey" FOREIGN KEY ("opportunity_id") REFERENCES "crm_opportunities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_contracts" ADD CONSTRAINT "crm_contracts_document_file_id_fkey" FOREIGN KEY ("document_file_id") REFERENCES "doc_files"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_contracts" ADD CONSTRAINT "crm_contracts_renews_contract_id_fkey" FOREIGN KEY ("renews_contract_id") REFERENCES "crm_contracts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_contract_events" ADD CONSTRAINT "crm_contract_events_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "crm_contracts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_engagements" ADD CONSTRAINT "crm_engagements_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_goals" ADD CONSTRAINT "crm_goals_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Row-level security (functions from 20261121010000_auth_rls)
-- ---------------------------------------------------------------------------------------------

-- Tickets, their status history and feedback: the tenant's own rows; provider staff everywhere.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sup_tickets', 'sup_ticket_status_changes', 'sup_customer_feedback']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_cross_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant())', t);
  END LOOP;
END $$;

-- Internal notes and their files never reach a tenant scope, whatever the API does.
ALTER TABLE "sup_ticket_messages" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_public_only ON "sup_ticket_messages"
  USING ((tenant_id = app_tenant_id() AND NOT internal) OR app_cross_tenant())
  WITH CHECK ((tenant_id = app_tenant_id() AND NOT internal) OR app_cross_tenant());
ALTER TABLE "sup_ticket_attachments" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_public_only ON "sup_ticket_attachments"
  USING ((tenant_id = app_tenant_id() AND NOT internal) OR app_cross_tenant())
  WITH CHECK ((tenant_id = app_tenant_id() AND NOT internal) OR app_cross_tenant());
ALTER TABLE "doc_files" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_public_only ON "doc_files"
  USING ((tenant_id = app_tenant_id() AND NOT provider_only) OR app_cross_tenant())
  WITH CHECK ((tenant_id = app_tenant_id() AND NOT provider_only) OR app_cross_tenant());

-- SLA targets, the business calendar and stage probabilities: readable by all, written cross-tenant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sup_sla_policies', 'sup_business_calendar', 'crm_stage_probabilities']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_all ON %I FOR SELECT USING (true)', t);
    EXECUTE format('CREATE POLICY cross_write ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

-- Notifications: each person reads and marks their own. A tenant scope may also create them for
-- the people of its tenant's conversations (e.g. a customer's reply notifies the agent); inserts
-- use no RETURNING, as the row is not the inserter's to read.
ALTER TABLE "adm_notifications" ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_cross ON "adm_notifications"
  USING (user_id = app_user_id() OR app_cross_tenant())
  WITH CHECK (user_id = app_user_id() OR app_cross_tenant());
CREATE POLICY tenant_notify ON "adm_notifications" FOR INSERT WITH CHECK (tenant_id = app_tenant_id());

-- CRM, engagements and goals are the provider's records: no tenant scope sees a row.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['crm_leads', 'crm_opportunities', 'crm_contracts', 'crm_contract_events',
                           'crm_engagements', 'crm_goals']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY provider_only ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

GRANT USAGE, SELECT ON SEQUENCE "sup_tickets_number_seq" TO fleetcore_app;

-- ---------------------------------------------------------------------------------------------
-- CHECK constraints
-- ---------------------------------------------------------------------------------------------
ALTER TABLE "sup_ticket_messages" ADD CONSTRAINT "sup_ticket_messages_sender_kind_check"
  CHECK ("sender_kind" IN ('customer', 'agent', 'system') AND ("sender_kind" = 'agent' OR NOT "internal"));
ALTER TABLE "sup_sla_policies" ADD CONSTRAINT "sup_sla_policies_minutes_check"
  CHECK ("first_response_minutes" BETWEEN 1 AND 525600 AND "resolution_minutes" BETWEEN 1 AND 525600
     AND "first_response_minutes" <= "resolution_minutes");
-- Prisma creates scalar lists nullable; the schema's lists are required.
ALTER TABLE "sup_business_calendar" ALTER COLUMN "workdays" SET NOT NULL, ALTER COLUMN "holidays" SET NOT NULL;
ALTER TABLE "sup_business_calendar" ADD CONSTRAINT "sup_business_calendar_check"
  CHECK ("id" = 1
     AND "day_start" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "day_end" ~ '^([01][0-9]|2[0-4]):[0-5][0-9]$'
     AND "day_start" < "day_end"
     AND cardinality("workdays") BETWEEN 1 AND 7 AND "workdays" <@ ARRAY[1, 2, 3, 4, 5, 6, 7]);
ALTER TABLE "sup_customer_feedback" ADD CONSTRAINT "sup_customer_feedback_rating_check"
  CHECK ("rating" IS NULL
     OR ("kind" = 'csat' AND "rating" BETWEEN 1 AND 5)
     OR ("kind" = 'nps' AND "rating" BETWEEN 0 AND 10));
ALTER TABLE "sup_customer_feedback" ADD CONSTRAINT "sup_customer_feedback_ticket_check"
  CHECK (("kind" = 'csat') = ("ticket_id" IS NOT NULL));
ALTER TABLE "doc_files" ADD CONSTRAINT "doc_files_size_check"
  CHECK ("size_bytes" = octet_length("content") AND "sha256" ~ '^[0-9a-f]{64}$');
ALTER TABLE "crm_opportunities" ADD CONSTRAINT "crm_opportunities_value_check"
  CHECK ("estimated_value_minor" >= 0 AND "currency" ~ '^[A-Z]{3}$'
     AND ("probability_pct" IS NULL OR "probability_pct" BETWEEN 0 AND 100));
ALTER TABLE "crm_stage_probabilities" ADD CONSTRAINT "crm_stage_probabilities_pct_check"
  CHECK ("probability_pct" BETWEEN 0 AND 100);
ALTER TABLE "crm_contracts" ADD CONSTRAINT "crm_contracts_dates_check"
  CHECK ("expiry_date" >= "effective_date"
     AND ("annual_value_minor" IS NULL OR "annual_value_minor" >= 0)
     AND ("currency" IS NULL OR "currency" ~ '^[A-Z]{3}$')
     AND ("annual_value_minor" IS NULL OR "currency" IS NOT NULL));
ALTER TABLE "crm_goals" ADD CONSTRAINT "crm_goals_target_check" CHECK ("target_value" >= 0);

-- ---------------------------------------------------------------------------------------------
-- Defaults for the configurable tables (editable by provider admins)
-- ---------------------------------------------------------------------------------------------
-- SLA targets per priority, minutes (first response / resolution), in the style of Zendesk's
-- default policies: urgent is counted around the clock, the rest in business hours.
INSERT INTO "sup_sla_policies" ("priority", "first_response_minutes", "resolution_minutes", "business_hours_only") VALUES
  ('urgent', 60, 480, false),
  ('high', 240, 1440, true),
  ('medium', 480, 2880, true),
  ('low', 1440, 7200, true);
INSERT INTO "sup_business_calendar" ("id") VALUES (1);
-- Stage probabilities, percent (the common weighted-pipeline defaults; Salesforce's standard
-- opportunity stages use the same progression).
INSERT INTO "crm_stage_probabilities" ("stage", "probability_pct") VALUES
  ('prospecting', 10), ('qualified', 25), ('proposal_sent', 50), ('negotiation', 75), ('won', 100), ('lost', 0);

-- The `support` permission (tickets and feedback; catalog: packages/validators/src/permissions.ts):
-- admins and dispatchers open and answer tickets, viewers read them. Owners have "*" already.
UPDATE "adm_roles" SET permissions = permissions || '{"support": ["read", "write"]}'::jsonb, updated_at = now()
 WHERE tenant_id IS NULL AND name IN ('admin', 'dispatcher');
UPDATE "adm_roles" SET permissions = permissions || '{"support": ["read"]}'::jsonb, updated_at = now()
 WHERE tenant_id IS NULL AND name = 'viewer';

-- One CSAT request per ticket, and at most one unanswered NPS request per person and tenant, even
-- under concurrent resolutions or requests (Prisma cannot express partial unique indexes).
CREATE UNIQUE INDEX "sup_customer_feedback_csat_ticket_key" ON "sup_customer_feedback" ("ticket_id") WHERE "kind" = 'csat';
CREATE UNIQUE INDEX "sup_customer_feedback_pending_nps_key" ON "sup_customer_feedback" ("tenant_id", "recipient_user_id")
  WHERE "kind" = 'nps' AND "rating" IS NULL;
