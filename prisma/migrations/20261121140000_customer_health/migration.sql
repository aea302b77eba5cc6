-- Customer success analytics (issue 8): daily activity metrics and the hourly fleet rollup per tenant,
-- product usage events, rollup watermarks, health profiles, daily health scores, alerts and
-- customer-success tasks; adm_tenants.segment. Generated from prisma/schema.prisma by Prisma's schema
-- differ (WASM build), followed by hand-written hypertables, row-level security, checks and the
-- default scoring profiles.

-- AlterTable
ALTER TABLE "adm_tenants" ADD COLUMN     "segment" TEXT;

-- CreateTable
CREATE TABLE "adm_tenant_activity_metrics" (
    "tenant_id" UUID NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "active_users" INTEGER NOT NULL DEFAULT 0,
    "logins" INTEGER NOT NULL DEFAULT 0,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "active_drivers" INTEGER NOT NULL DEFAULT 0,
    "active_vehicles" INTEGER NOT NULL DEFAULT 0,
    "positions" BIGINT NOT NULL DEFAULT 0,
    "distance_m" BIGINT NOT NULL DEFAULT 0,
    "trips" INTEGER NOT NULL DEFAULT 0,
    "messages_sent" INTEGER NOT NULL DEFAULT 0,
    "messages_received" INTEGER NOT NULL DEFAULT 0,
    "median_response_s" INTEGER,
    "events" INTEGER NOT NULL DEFAULT 0,
    "alerts" INTEGER NOT NULL DEFAULT 0,
    "tickets_opened" INTEGER NOT NULL DEFAULT 0,
    "tickets_open" INTEGER NOT NULL DEFAULT 0,
    "csat_responses" INTEGER NOT NULL DEFAULT 0,
    "csat_avg" DECIMAL(3,2),
    "nps_responses" INTEGER NOT NULL DEFAULT 0,
    "nps" INTEGER,
    "failed_payments" INTEGER NOT NULL DEFAULT 0,
    "features_used" JSONB NOT NULL DEFAULT '{}',
    "feature_count" INTEGER NOT NULL DEFAULT 0,
    "seats_used" INTEGER NOT NULL DEFAULT 0,
    "seats_plan" INTEGER,
    "vehicles_plan" INTEGER,
    "churn_risk_score" DECIMAL(5,2),
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_tenant_activity_metrics_pkey" PRIMARY KEY ("tenant_id","period_start")
);

-- CreateTable
CREATE TABLE "adm_tenant_fleet_hourly" (
    "tenant_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "active_vehicles" INTEGER NOT NULL DEFAULT 0,
    "positions" INTEGER NOT NULL DEFAULT 0,
    "distance_m" BIGINT NOT NULL DEFAULT 0,
    "avg_speed_kph" DOUBLE PRECISION,
    "events" INTEGER NOT NULL DEFAULT 0,
    "alerts" INTEGER NOT NULL DEFAULT 0,
    "messages_sent" INTEGER NOT NULL DEFAULT 0,
    "messages_received" INTEGER NOT NULL DEFAULT 0,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_tenant_fleet_hourly_pkey" PRIMARY KEY ("tenant_id","hour")
);

-- CreateTable
CREATE TABLE "adm_product_usage_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "time" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID,
    "user_id" UUID,
    "feature" TEXT NOT NULL,
    "kind" TEXT NOT NULL,

    CONSTRAINT "adm_product_usage_events_pkey" PRIMARY KEY ("id","time")
);

-- CreateTable
CREATE TABLE "adm_rollup_watermarks" (
    "job" TEXT NOT NULL,
    "watermark" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_rollup_watermarks_pkey" PRIMARY KEY ("job")
);

-- CreateTable
CREATE TABLE "adm_health_profiles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "segment" TEXT,
    "lifecycle" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "weights" JSONB NOT NULL,
    "thresholds" JSONB NOT NULL,
    "alert_rules" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_health_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_tenant_health_scores" (
    "tenant_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "score" INTEGER NOT NULL,
    "band" TEXT NOT NULL,
    "profile" TEXT NOT NULL,
    "product_usage_score" INTEGER NOT NULL,
    "support_score" INTEGER NOT NULL,
    "engagement_score" INTEGER NOT NULL,
    "business_score" INTEGER NOT NULL,
    "components" JSONB NOT NULL,
    "churn_risk" INTEGER NOT NULL,
    "churn_horizon_days" INTEGER NOT NULL,
    "churn_drivers" JSONB NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_tenant_health_scores_pkey" PRIMARY KEY ("tenant_id","day")
);

-- CreateTable
CREATE TABLE "adm_health_alerts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "task_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_health_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "crm_tasks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "source" TEXT NOT NULL DEFAULT 'manual',
    "status" TEXT NOT NULL DEFAULT 'open',
    "due_date" DATE,
    "assignee_employee_id" UUID,
    "created_by" UUID,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "adm_tenant_activity_metrics_period_start_idx" ON "adm_tenant_activity_metrics"("period_start");

-- CreateIndex
CREATE INDEX "adm_tenant_fleet_hourly_hour_idx" ON "adm_tenant_fleet_hourly"("hour");

-- CreateIndex
CREATE INDEX "adm_product_usage_events_tenant_id_time_idx" ON "adm_product_usage_events"("tenant_id", "time" DESC);

-- CreateIndex
CREATE INDEX "adm_product_usage_events_time_idx" ON "adm_product_usage_events"("time");

-- CreateIndex
CREATE UNIQUE INDEX "adm_health_profiles_name_key" ON "adm_health_profiles"("name");

-- CreateIndex
CREATE INDEX "adm_tenant_health_scores_day_idx" ON "adm_tenant_health_scores"("day");

-- CreateIndex
CREATE INDEX "adm_health_alerts_day_idx" ON "adm_health_alerts"("day");

-- CreateIndex
CREATE UNIQUE INDEX "adm_health_alerts_tenant_id_kind_day_key" ON "adm_health_alerts"("tenant_id", "kind", "day");

-- CreateIndex
CREATE INDEX "crm_tasks_tenant_id_created_at_idx" ON "crm_tasks"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "crm_tasks_assignee_employee_id_status_idx" ON "crm_tasks"("assignee_employee_id", "status");

-- ---------------------------------------------------------------------------------------------
-- Hypertables (TimescaleDB Apache edition; https://docs.timescale.com/api/latest/hypertable/)
-- ---------------------------------------------------------------------------------------------
SELECT create_hypertable('adm_tenant_activity_metrics', by_range('period_start', INTERVAL '90 days'), create_default_indexes => FALSE);
SELECT create_hypertable('adm_tenant_fleet_hourly', by_range('hour', INTERVAL '30 days'), create_default_indexes => FALSE);
SELECT create_hypertable('adm_product_usage_events', by_range('time', INTERVAL '7 days'), create_default_indexes => FALSE);
SELECT create_hypertable('adm_tenant_health_scores', by_range('day', INTERVAL '90 days'), create_default_indexes => FALSE);

-- ---------------------------------------------------------------------------------------------
-- Row-level security: all of it is the provider's view of its customers. Tenants read none of it
-- (their usage is recorded by the platform in the system scope).
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['adm_tenant_activity_metrics', 'adm_tenant_fleet_hourly', 'adm_product_usage_events',
                           'adm_rollup_watermarks', 'adm_health_profiles', 'adm_tenant_health_scores',
                           'adm_health_alerts', 'crm_tasks']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY platform_only ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- CHECK constraints
-- ---------------------------------------------------------------------------------------------
ALTER TABLE "adm_tenants" ADD CONSTRAINT "adm_tenants_segment_check"
  CHECK ("segment" IS NULL OR "segment" IN ('smb', 'mid_market', 'enterprise'));
ALTER TABLE "adm_tenant_activity_metrics" ADD CONSTRAINT "adm_tenant_activity_metrics_check"
  CHECK ("period_end" > "period_start"
     AND ("csat_avg" IS NULL OR "csat_avg" BETWEEN 1 AND 5)
     AND ("nps" IS NULL OR "nps" BETWEEN -100 AND 100)
     AND ("churn_risk_score" IS NULL OR "churn_risk_score" BETWEEN 0 AND 100));
ALTER TABLE "adm_tenant_health_scores" ADD CONSTRAINT "adm_tenant_health_scores_check"
  CHECK ("score" BETWEEN 0 AND 100 AND "band" IN ('red', 'yellow', 'green')
     AND "churn_risk" BETWEEN 0 AND 100 AND "churn_horizon_days" IN (30, 60, 90)
     AND "product_usage_score" BETWEEN 0 AND 100 AND "support_score" BETWEEN 0 AND 100
     AND "engagement_score" BETWEEN 0 AND 100 AND "business_score" BETWEEN 0 AND 100);
ALTER TABLE "adm_health_alerts" ADD CONSTRAINT "adm_health_alerts_kind_check"
  CHECK ("kind" IN ('score_drop', 'red', 'churn_risk', 'renewal_no_engagement'));
ALTER TABLE "crm_tasks" ADD CONSTRAINT "crm_tasks_check"
  CHECK ("status" IN ('open', 'done') AND "source" IN ('manual', 'health_alert'));
ALTER TABLE "adm_product_usage_events" ADD CONSTRAINT "adm_product_usage_events_kind_check"
  CHECK ("kind" IN ('procedure', 'page'));

-- ---------------------------------------------------------------------------------------------
-- Default scoring profiles (customer-health.md: product usage 40, support 25, engagement 20,
-- business 15; bands red < 50, yellow 50–75, green > 75). Onboarding tenants (first 30 days) are
-- scored on adoption and engagement; enterprise accounts weigh engagement more.
-- ---------------------------------------------------------------------------------------------
INSERT INTO "adm_health_profiles" ("name", "segment", "lifecycle", "priority", "weights", "thresholds", "alert_rules") VALUES
  ('default', NULL, NULL, 0,
   '{"productUsage": 40, "support": 25, "engagement": 20, "business": 15}',
   '{"red": 50, "green": 75}',
   '{"scoreDrop": 10, "churnRisk": 70, "renewalNoEngagementDays": 30}'),
  ('onboarding', NULL, 'onboarding', 20,
   '{"productUsage": 50, "support": 20, "engagement": 30, "business": 0}',
   '{"red": 40, "green": 70}',
   '{"scoreDrop": 15, "churnRisk": 80, "renewalNoEngagementDays": 30}'),
  ('enterprise', 'enterprise', NULL, 10,
   '{"productUsage": 35, "support": 25, "engagement": 25, "business": 15}',
   '{"red": 50, "green": 75}',
   '{"scoreDrop": 8, "churnRisk": 60, "renewalNoEngagementDays": 60}');
