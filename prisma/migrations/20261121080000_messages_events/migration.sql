-- CreateEnum
CREATE TYPE "tel_event_severity" AS ENUM ('info', 'warning', 'critical');

-- CreateEnum
CREATE TYPE "flt_geofence_kind" AS ENUM ('circle', 'polygon');

-- CreateEnum
CREATE TYPE "msg_integration_provider" AS ENUM ('whatsapp', 'samsara');

-- CreateEnum
CREATE TYPE "msg_direction" AS ENUM ('inbound', 'outbound');

-- CreateEnum
CREATE TYPE "msg_status" AS ENUM ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'blocked');

-- AlterTable
ALTER TABLE "rid_drivers" ADD COLUMN     "messaging_opt_out_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "flt_geofences" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "flt_geofence_kind" NOT NULL,
    "shape" JSONB NOT NULL,
    "speed_limit_kph" INTEGER,
    "color" TEXT NOT NULL DEFAULT '#2563eb',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "flt_geofences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tel_geofence_presence" (
    "vehicle_id" UUID NOT NULL,
    "geofence_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "entered_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tel_geofence_presence_pkey" PRIMARY KEY ("vehicle_id","geofence_id")
);

-- CreateTable
CREATE TABLE "tel_event_rules" (
    "tenant_id" UUID NOT NULL,
    "overspeed_kph" INTEGER,
    "overspeed_min_duration_s" INTEGER NOT NULL DEFAULT 15,
    "idle_max_s" INTEGER DEFAULT 600,
    "device_offline_events" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tel_event_rules_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "tel_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "time" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "severity" "tel_event_severity" NOT NULL DEFAULT 'info',
    "title" TEXT NOT NULL,
    "vehicle_id" UUID,
    "driver_id" UUID,
    "device_id" UUID,
    "geofence_id" UUID,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "speed_kph" REAL,
    "external_id" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tel_events_pkey" PRIMARY KEY ("id","time")
);

-- CreateTable
CREATE TABLE "msg_integrations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "provider" "msg_integration_provider" NOT NULL,
    "external_id" TEXT NOT NULL,
    "display_name" TEXT,
    "secret" TEXT,
    "verify_token" TEXT,
    "access_token" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "last_event_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "msg_integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "msg_webhook_deliveries" (
    "provider" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "tenant_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "msg_webhook_deliveries_pkey" PRIMARY KEY ("provider","delivery_id")
);

-- CreateTable
CREATE TABLE "msg_settings" (
    "tenant_id" UUID NOT NULL,
    "quiet_start" TEXT,
    "quiet_end" TEXT,
    "transport" TEXT NOT NULL DEFAULT 'local',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "msg_settings_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateTable
CREATE TABLE "msg_conversations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "driver_id" UUID NOT NULL,
    "last_message_at" TIMESTAMPTZ(3),
    "last_inbound_at" TIMESTAMPTZ(3),
    "unread_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "msg_conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "msg_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "time" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "driver_id" UUID NOT NULL,
    "direction" "msg_direction" NOT NULL,
    "channel" TEXT NOT NULL,
    "status" "msg_status" NOT NULL,
    "message_type" TEXT NOT NULL DEFAULT 'text',
    "body" TEXT,
    "provider_message_id" TEXT,
    "sent_by_user_id" UUID,
    "status_reason" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "attributes" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "msg_messages_pkey" PRIMARY KEY ("id","time")
);

-- CreateTable
CREATE TABLE "msg_outbox" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "to" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "msg_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "flt_geofences_tenant_id_idx" ON "flt_geofences"("tenant_id");

-- CreateIndex
CREATE INDEX "tel_geofence_presence_tenant_id_idx" ON "tel_geofence_presence"("tenant_id");

-- CreateIndex
CREATE INDEX "tel_events_tenant_id_time_idx" ON "tel_events"("tenant_id", "time" DESC);

-- CreateIndex
CREATE INDEX "tel_events_vehicle_id_time_idx" ON "tel_events"("vehicle_id", "time" DESC);

-- CreateIndex
CREATE INDEX "msg_integrations_tenant_id_idx" ON "msg_integrations"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "msg_integrations_provider_external_id_key" ON "msg_integrations"("provider", "external_id");

-- CreateIndex
CREATE INDEX "msg_webhook_deliveries_received_at_idx" ON "msg_webhook_deliveries"("received_at");

-- CreateIndex
CREATE INDEX "msg_conversations_tenant_id_last_message_at_idx" ON "msg_conversations"("tenant_id", "last_message_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "msg_conversations_tenant_id_driver_id_key" ON "msg_conversations"("tenant_id", "driver_id");

-- CreateIndex
CREATE INDEX "msg_messages_tenant_id_time_idx" ON "msg_messages"("tenant_id", "time" DESC);

-- CreateIndex
CREATE INDEX "msg_messages_conversation_id_time_idx" ON "msg_messages"("conversation_id", "time" DESC);

-- CreateIndex
CREATE INDEX "msg_messages_provider_message_id_idx" ON "msg_messages"("provider_message_id");

-- CreateIndex
CREATE INDEX "msg_outbox_tenant_id_created_at_idx" ON "msg_outbox"("tenant_id", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "flt_geofences" ADD CONSTRAINT "flt_geofences_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tel_event_rules" ADD CONSTRAINT "tel_event_rules_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "msg_integrations" ADD CONSTRAINT "msg_integrations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "msg_settings" ADD CONSTRAINT "msg_settings_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "msg_conversations" ADD CONSTRAINT "msg_conversations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "msg_conversations" ADD CONSTRAINT "msg_conversations_driver_id_fkey" FOREIGN KEY ("driver_id") REFERENCES "rid_drivers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written: hypertables, row-level security, checks
-- ---------------------------------------------------------------------------------------------

-- Events and messages are time series read by time_bucket analytics: hypertables on their time,
-- 7-day chunks (far fewer rows than tel_positions). TimescaleDB docs:
-- https://docs.timescale.com/api/latest/hypertable/create_hypertable/
SELECT create_hypertable('tel_events', by_range('time', INTERVAL '7 days'), create_default_indexes => FALSE);
SELECT create_hypertable('msg_messages', by_range('time', INTERVAL '7 days'), create_default_indexes => FALSE);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flt_geofences', 'tel_geofence_presence', 'tel_event_rules', 'tel_events',
                           'msg_integrations', 'msg_settings', 'msg_conversations', 'msg_messages', 'msg_outbox']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_cross_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant())', t);
  END LOOP;
END $$;

-- Webhook deliveries are the platform's bookkeeping: only the system and provider scopes see them.
ALTER TABLE "msg_webhook_deliveries" ENABLE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON "msg_webhook_deliveries" USING (app_cross_tenant()) WITH CHECK (app_cross_tenant());

ALTER TABLE "flt_geofences" ADD CONSTRAINT "flt_geofences_speed_limit_kph_check"
  CHECK ("speed_limit_kph" IS NULL OR "speed_limit_kph" BETWEEN 1 AND 300);
ALTER TABLE "tel_event_rules" ADD CONSTRAINT "tel_event_rules_limits_check"
  CHECK (("overspeed_kph" IS NULL OR "overspeed_kph" BETWEEN 1 AND 300)
     AND "overspeed_min_duration_s" BETWEEN 0 AND 3600
     AND ("idle_max_s" IS NULL OR "idle_max_s" BETWEEN 60 AND 86400));
ALTER TABLE "msg_settings" ADD CONSTRAINT "msg_settings_check"
  CHECK ("transport" IN ('local', 'whatsapp')
     AND ("quiet_start" IS NULL) = ("quiet_end" IS NULL)
     AND ("quiet_start" IS NULL OR "quiet_start" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
     AND ("quiet_end" IS NULL OR "quiet_end" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'));
