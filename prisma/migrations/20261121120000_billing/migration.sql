-- Billing with Stripe (bil_): plans, billing accounts (Stripe Customers), subscriptions, daily usage,
-- invoices and lines, payment methods, the webhook event log, MRR changes and billing settings.
-- Generated from prisma/schema.prisma by Prisma's schema differ (WASM build), followed by
-- hand-written row-level security, CHECK constraints and the settings row.

-- CreateEnum
CREATE TYPE "bil_subscription_status" AS ENUM ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused');

-- CreateEnum
CREATE TYPE "bil_billing_interval" AS ENUM ('month', 'year');

-- CreateEnum
CREATE TYPE "bil_invoice_status" AS ENUM ('draft', 'open', 'paid', 'uncollectible', 'void');

-- CreateTable
CREATE TABLE "bil_billing_plans" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "currency" CHAR(3) NOT NULL,
    "monthly_price_minor" INTEGER NOT NULL,
    "yearly_price_minor" INTEGER,
    "included_vehicles" INTEGER NOT NULL,
    "included_drivers" INTEGER NOT NULL,
    "overage_per_vehicle_minor" INTEGER NOT NULL,
    "features" JSONB NOT NULL DEFAULT '{}',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "is_public" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "stripe_product_id" TEXT,
    "stripe_monthly_price_id" TEXT,
    "stripe_yearly_price_id" TEXT,
    "stripe_overage_price_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_billing_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_billing_accounts" (
    "tenant_id" UUID NOT NULL,
    "stripe_customer_id" TEXT NOT NULL,
    "billing_email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_billing_accounts_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "bil_tenant_subscriptions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "plan_id" UUID,
    "plan_version" INTEGER,
    "interval" "bil_billing_interval" NOT NULL DEFAULT 'month',
    "status" "bil_subscription_status" NOT NULL,
    "current_period_start" TIMESTAMPTZ(3),
    "current_period_end" TIMESTAMPTZ(3),
    "cancel_at_period_end" BOOLEAN NOT NULL DEFAULT false,
    "canceled_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "trial_end" TIMESTAMPTZ(3),
    "past_due_since" TIMESTAMPTZ(3),
    "mrr_minor" INTEGER NOT NULL DEFAULT 0,
    "currency" CHAR(3) NOT NULL,
    "stripe_customer_id" TEXT NOT NULL,
    "stripe_subscription_id" TEXT NOT NULL,
    "stripe_base_item_id" TEXT,
    "stripe_overage_item_id" TEXT,
    "stripe_event_created_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_tenant_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_tenant_usage_metrics" (
    "tenant_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "active_vehicles" INTEGER NOT NULL,
    "active_drivers" INTEGER NOT NULL,
    "positions" BIGINT NOT NULL,
    "messages" INTEGER NOT NULL,
    "overage_vehicles" INTEGER NOT NULL DEFAULT 0,
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reported_at" TIMESTAMPTZ(3),
    "meter_event_identifier" TEXT,

    CONSTRAINT "bil_tenant_usage_metrics_pkey" PRIMARY KEY ("tenant_id","day")
);

-- CreateTable
CREATE TABLE "bil_tenant_invoices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "stripe_invoice_id" TEXT NOT NULL,
    "stripe_subscription_id" TEXT,
    "number" TEXT,
    "status" "bil_invoice_status" NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "subtotal_minor" INTEGER NOT NULL,
    "tax_minor" INTEGER NOT NULL DEFAULT 0,
    "total_minor" INTEGER NOT NULL,
    "amount_due_minor" INTEGER NOT NULL,
    "amount_paid_minor" INTEGER NOT NULL DEFAULT 0,
    "period_start" TIMESTAMPTZ(3),
    "period_end" TIMESTAMPTZ(3),
    "hosted_invoice_url" TEXT,
    "invoice_pdf_url" TEXT,
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_payment_attempt" TIMESTAMPTZ(3),
    "paid_at" TIMESTAMPTZ(3),
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "stripe_event_created_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_tenant_invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_tenant_invoice_lines" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "invoice_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "stripe_line_id" TEXT NOT NULL,
    "description" TEXT,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "quantity" INTEGER,
    "kind" TEXT NOT NULL,
    "proration" BOOLEAN NOT NULL DEFAULT false,
    "period_start" TIMESTAMPTZ(3),
    "period_end" TIMESTAMPTZ(3),

    CONSTRAINT "bil_tenant_invoice_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_payment_methods" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "stripe_payment_method_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "brand" TEXT,
    "last4" TEXT,
    "exp_month" INTEGER,
    "exp_year" INTEGER,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "detached_at" TIMESTAMPTZ(3),
    "stripe_event_created_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_payment_methods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "object_id" TEXT,
    "tenant_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "bil_stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_mrr_changes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "from_mrr_minor" INTEGER NOT NULL,
    "to_mrr_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "stripe_event_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_mrr_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bil_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "dunning_grace_days" INTEGER NOT NULL DEFAULT 14,
    "meter_event_name" TEXT NOT NULL DEFAULT 'fleetcore_overage_vehicles',
    "stripe_meter_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bil_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "bil_billing_plans_code_key" ON "bil_billing_plans"("code");

-- CreateIndex
CREATE UNIQUE INDEX "bil_billing_accounts_stripe_customer_id_key" ON "bil_billing_accounts"("stripe_customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "bil_tenant_subscriptions_stripe_subscription_id_key" ON "bil_tenant_subscriptions"("stripe_subscription_id");

-- CreateIndex
CREATE INDEX "bil_tenant_subscriptions_tenant_id_created_at_idx" ON "bil_tenant_subscriptions"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "bil_tenant_subscriptions_status_idx" ON "bil_tenant_subscriptions"("status");

-- CreateIndex
CREATE INDEX "bil_tenant_usage_metrics_day_idx" ON "bil_tenant_usage_metrics"("day");

-- CreateIndex
CREATE UNIQUE INDEX "bil_tenant_invoices_stripe_invoice_id_key" ON "bil_tenant_invoices"("stripe_invoice_id");

-- CreateIndex
CREATE INDEX "bil_tenant_invoices_tenant_id_issued_at_idx" ON "bil_tenant_invoices"("tenant_id", "issued_at" DESC);

-- CreateIndex
CREATE INDEX "bil_tenant_invoice_lines_tenant_id_idx" ON "bil_tenant_invoice_lines"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "bil_tenant_invoice_lines_invoice_id_stripe_line_id_key" ON "bil_tenant_invoice_lines"("invoice_id", "stripe_line_id");

-- CreateIndex
CREATE UNIQUE INDEX "bil_payment_methods_stripe_payment_method_id_key" ON "bil_payment_methods"("stripe_payment_method_id");

-- CreateIndex
CREATE INDEX "bil_payment_methods_tenant_id_idx" ON "bil_payment_methods"("tenant_id");

-- CreateIndex
CREATE INDEX "bil_stripe_events_tenant_id_created_at_idx" ON "bil_stripe_events"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "bil_stripe_events_object_id_idx" ON "bil_stripe_events"("object_id");

-- CreateIndex
CREATE UNIQUE INDEX "bil_mrr_changes_stripe_event_id_key" ON "bil_mrr_changes"("stripe_event_id");

-- CreateIndex
CREATE INDEX "bil_mrr_changes_occurred_at_idx" ON "bil_mrr_changes"("occurred_at");

-- CreateIndex
CREATE INDEX "bil_mrr_changes_tenant_id_occurred_at_idx" ON "bil_mrr_changes"("tenant_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "bil_billing_accounts" ADD CONSTRAINT "bil_billing_accounts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bil_tenant_subscriptions" ADD CONSTRAINT "bil_tenant_subscriptions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bil_tenant_subscriptions" ADD CONSTRAINT "bil_tenant_subscriptions_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "bil_billing_plans"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bil_tenant_invoice_lines" ADD CONSTRAINT "bil_tenant_invoice_lines_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "bil_tenant_invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Row-level security (functions from 20261121010000_auth_rls)
-- ---------------------------------------------------------------------------------------------

-- A tenant reads its own billing rows; only the provider and system scopes write them (Stripe is
-- the source of truth: webhooks and jobs run in the system scope, provider staff in theirs).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bil_billing_accounts', 'bil_tenant_subscriptions', 'bil_tenant_usage_metrics',
                           'bil_tenant_invoices', 'bil_tenant_invoice_lines', 'bil_payment_methods']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (tenant_id = app_tenant_id())', t);
    EXECUTE format('CREATE POLICY cross_write ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

-- Plans (the public price list) and billing settings: readable by all, written cross-tenant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bil_billing_plans', 'bil_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_all ON %I FOR SELECT USING (true)', t);
    EXECUTE format('CREATE POLICY cross_write ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

-- The webhook event log and MRR history are the platform's: provider and system scopes only.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bil_stripe_events', 'bil_mrr_changes']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY platform_only ON %I USING (app_cross_tenant()) WITH CHECK (app_cross_tenant())', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- CHECK constraints: money is integer minor units with an ISO 4217 currency
-- ---------------------------------------------------------------------------------------------
ALTER TABLE "bil_billing_plans" ADD CONSTRAINT "bil_billing_plans_check"
  CHECK ("currency" ~ '^[A-Z]{3}$' AND "code" ~ '^[a-z0-9][a-z0-9-]{1,62}$'
     AND "monthly_price_minor" >= 0 AND ("yearly_price_minor" IS NULL OR "yearly_price_minor" >= 0)
     AND "included_vehicles" >= 0 AND "included_drivers" >= 0 AND "overage_per_vehicle_minor" >= 0
     AND "version" >= 1);
ALTER TABLE "bil_tenant_subscriptions" ADD CONSTRAINT "bil_tenant_subscriptions_check"
  CHECK ("currency" ~ '^[A-Z]{3}$' AND "mrr_minor" >= 0);
ALTER TABLE "bil_tenant_usage_metrics" ADD CONSTRAINT "bil_tenant_usage_metrics_check"
  CHECK ("active_vehicles" >= 0 AND "active_drivers" >= 0 AND "positions" >= 0 AND "messages" >= 0
     AND "overage_vehicles" >= 0);
ALTER TABLE "bil_tenant_invoices" ADD CONSTRAINT "bil_tenant_invoices_check" CHECK ("currency" ~ '^[A-Z]{3}$');
ALTER TABLE "bil_mrr_changes" ADD CONSTRAINT "bil_mrr_changes_check"
  CHECK ("currency" ~ '^[A-Z]{3}$' AND "from_mrr_minor" >= 0 AND "to_mrr_minor" >= 0);
ALTER TABLE "bil_settings" ADD CONSTRAINT "bil_settings_check"
  CHECK ("id" = 1 AND "dunning_grace_days" BETWEEN 0 AND 90);

-- One current (not ended) subscription per tenant.
CREATE UNIQUE INDEX "bil_tenant_subscriptions_one_current_key" ON "bil_tenant_subscriptions" ("tenant_id")
  WHERE "status" NOT IN ('canceled', 'incomplete_expired');

INSERT INTO "bil_settings" ("id") VALUES (1);
