CREATE EXTENSION IF NOT EXISTS timescaledb;
-- (TimescaleDB must be in shared_preload_libraries; the extension provides create_hypertable(), used at the end.)

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "adm_tenant_status" AS ENUM ('trial', 'active', 'suspended', 'closed');

-- CreateEnum
CREATE TYPE "adm_tenant_lifecycle_event_type" AS ENUM ('created', 'activated', 'plan_changed', 'suspended', 'reactivated', 'closed');

-- CreateEnum
CREATE TYPE "adm_user_status" AS ENUM ('active', 'suspended');

-- CreateEnum
CREATE TYPE "adm_member_status" AS ENUM ('invited', 'active', 'suspended');

-- CreateEnum
CREATE TYPE "adm_provider_employee_role" AS ENUM ('admin', 'account_manager', 'support_agent', 'analyst');

-- CreateEnum
CREATE TYPE "adm_provider_employee_status" AS ENUM ('active', 'inactive');

-- CreateEnum
CREATE TYPE "flt_vehicle_status" AS ENUM ('active', 'inactive', 'maintenance', 'retired');

-- CreateEnum
CREATE TYPE "rid_driver_status" AS ENUM ('active', 'inactive', 'suspended');

-- CreateEnum
CREATE TYPE "tel_device_status" AS ENUM ('active', 'inactive');

-- CreateTable
CREATE TABLE "adm_tenants" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "country_code" TEXT NOT NULL,
    "default_currency" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "status" "adm_tenant_status" NOT NULL DEFAULT 'trial',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "notes" TEXT,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "adm_tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_tenant_lifecycle_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "event_type" "adm_tenant_lifecycle_event_type" NOT NULL,
    "from_status" "adm_tenant_status",
    "to_status" "adm_tenant_status",
    "reason" TEXT,
    "performed_by_user_id" UUID,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "adm_tenant_lifecycle_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" TEXT NOT NULL,
    "password_hash" TEXT,
    "full_name" TEXT,
    "email_verified_at" TIMESTAMPTZ(3),
    "last_login_at" TIMESTAMPTZ(3),
    "status" "adm_user_status" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "adm_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_members" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "status" "adm_member_status" NOT NULL DEFAULT 'invited',
    "invited_at" TIMESTAMPTZ(3),
    "joined_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "adm_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_roles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "permissions" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_member_roles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "member_id" UUID NOT NULL,
    "role_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "adm_member_roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_sessions" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "active_tenant_id" UUID,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ip_address" TEXT,
    "user_agent" TEXT,

    CONSTRAINT "adm_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "adm_provider_employees" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "role" "adm_provider_employee_role" NOT NULL,
    "title" TEXT,
    "status" "adm_provider_employee_status" NOT NULL DEFAULT 'active',
    "created_by" UUID,
    "updated_by" UUID,
    "deleted_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "adm_provider_employees_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "flt_vehicles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "license_plate" TEXT,
    "vin" TEXT,
    "make" TEXT,
    "model" TEXT,
    "year" INTEGER,
    "status" "flt_vehicle_status" NOT NULL DEFAULT 'active',
    "speed_limit_kph" INTEGER,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "flt_vehicles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rid_drivers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "license_number" TEXT,
    "status" "rid_driver_status" NOT NULL DEFAULT 'active',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "rid_drivers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tel_devices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "unique_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "protocol" TEXT,
    "vehicle_id" UUID,
    "status" "tel_device_status" NOT NULL DEFAULT 'active',
    "last_seen_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "tel_devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tel_positions" (
    "time" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "device_id" UUID NOT NULL,
    "vehicle_id" UUID,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "speed_kph" REAL,
    "heading_deg" REAL,
    "altitude_m" REAL,
    "accuracy_m" REAL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attributes" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "tel_positions_pkey" PRIMARY KEY ("device_id","time")
);

-- CreateIndex
CREATE UNIQUE INDEX "adm_tenants_slug_key" ON "adm_tenants"("slug");

-- CreateIndex
CREATE INDEX "adm_tenants_status_idx" ON "adm_tenants"("status");

-- CreateIndex
CREATE INDEX "adm_tenant_lifecycle_events_tenant_id_occurred_at_idx" ON "adm_tenant_lifecycle_events"("tenant_id", "occurred_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "adm_users_email_key" ON "adm_users"("email");

-- CreateIndex
CREATE INDEX "adm_members_user_id_idx" ON "adm_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "adm_members_tenant_id_user_id_key" ON "adm_members"("tenant_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "adm_roles_tenant_id_name_key" ON "adm_roles"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "adm_member_roles_tenant_id_idx" ON "adm_member_roles"("tenant_id");

-- CreateIndex
CREATE INDEX "adm_member_roles_role_id_idx" ON "adm_member_roles"("role_id");

-- CreateIndex
CREATE UNIQUE INDEX "adm_member_roles_member_id_role_id_key" ON "adm_member_roles"("member_id", "role_id");

-- CreateIndex
CREATE INDEX "adm_sessions_user_id_idx" ON "adm_sessions"("user_id");

-- CreateIndex
CREATE INDEX "adm_sessions_active_tenant_id_idx" ON "adm_sessions"("active_tenant_id");

-- CreateIndex
CREATE INDEX "adm_sessions_expires_at_idx" ON "adm_sessions"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "adm_provider_employees_user_id_key" ON "adm_provider_employees"("user_id");

-- CreateIndex
CREATE INDEX "flt_vehicles_tenant_id_license_plate_idx" ON "flt_vehicles"("tenant_id", "license_plate");

-- CreateIndex
CREATE INDEX "flt_vehicles_tenant_id_vin_idx" ON "flt_vehicles"("tenant_id", "vin");

-- CreateIndex
CREATE INDEX "rid_drivers_tenant_id_last_name_first_name_idx" ON "rid_drivers"("tenant_id", "last_name", "first_name");

-- CreateIndex
CREATE INDEX "rid_drivers_tenant_id_phone_idx" ON "rid_drivers"("tenant_id", "phone");

-- CreateIndex
CREATE UNIQUE INDEX "tel_devices_unique_id_key" ON "tel_devices"("unique_id");

-- CreateIndex
CREATE INDEX "tel_devices_tenant_id_idx" ON "tel_devices"("tenant_id");

-- CreateIndex
CREATE INDEX "tel_devices_vehicle_id_idx" ON "tel_devices"("vehicle_id");

-- CreateIndex
CREATE INDEX "tel_positions_vehicle_id_time_idx" ON "tel_positions"("vehicle_id", "time" DESC);

-- CreateIndex
CREATE INDEX "tel_positions_tenant_id_time_idx" ON "tel_positions"("tenant_id", "time" DESC);

-- CreateIndex
CREATE INDEX "tel_positions_time_idx" ON "tel_positions"("time" DESC);

-- AddForeignKey
ALTER TABLE "adm_tenants" ADD CONSTRAINT "adm_tenants_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "adm_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_tenant_lifecycle_events" ADD CONSTRAINT "adm_tenant_lifecycle_events_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_tenant_lifecycle_events" ADD CONSTRAINT "adm_tenant_lifecycle_events_performed_by_user_id_fkey" FOREIGN KEY ("performed_by_user_id") REFERENCES "adm_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_members" ADD CONSTRAINT "adm_members_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_members" ADD CONSTRAINT "adm_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "adm_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_roles" ADD CONSTRAINT "adm_roles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_member_roles" ADD CONSTRAINT "adm_member_roles_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "adm_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_member_roles" ADD CONSTRAINT "adm_member_roles_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "adm_roles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_member_roles" ADD CONSTRAINT "adm_member_roles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_sessions" ADD CONSTRAINT "adm_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "adm_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_sessions" ADD CONSTRAINT "adm_sessions_active_tenant_id_fkey" FOREIGN KEY ("active_tenant_id") REFERENCES "adm_tenants"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_provider_employees" ADD CONSTRAINT "adm_provider_employees_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "adm_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_provider_employees" ADD CONSTRAINT "adm_provider_employees_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_provider_employees" ADD CONSTRAINT "adm_provider_employees_updated_by_fkey" FOREIGN KEY ("updated_by") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "adm_provider_employees" ADD CONSTRAINT "adm_provider_employees_deleted_by_fkey" FOREIGN KEY ("deleted_by") REFERENCES "adm_provider_employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flt_vehicles" ADD CONSTRAINT "flt_vehicles_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rid_drivers" ADD CONSTRAINT "rid_drivers_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tel_devices" ADD CONSTRAINT "tel_devices_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tel_devices" ADD CONSTRAINT "tel_devices_vehicle_id_fkey" FOREIGN KEY ("vehicle_id") REFERENCES "flt_vehicles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- TimescaleDB (hand-written: Prisma cannot express hypertables)
--
-- tel_positions becomes a hypertable partitioned on "time" (the device's fix time).
-- It has no foreign keys on purpose (see the model's doc comment in schema.prisma): FK checks on
-- every insert slow ingest, and tenant/device/vehicle ids are copied from tel_devices at ingest.
--
-- Chunk interval 1 day: TimescaleDB advises that the most recent chunk, indexes included, fit in
-- about a quarter of memory. At fleet scale (e.g. 1,000 devices reporting every 5 s ≈ 17 M rows a
-- day) one day stays well within that, queries for "today" or a day's track touch one chunk, and
-- retention can drop whole days with drop_chunks() (Apache edition; no retention policies there).
--
-- create_default_indexes => FALSE: the indexes above (tel_positions_pkey and the three
-- *_time_idx indexes) are the ones wanted; TimescaleDB's default ("time" DESC) index would
-- duplicate tel_positions_time_idx and, being unknown to schema.prisma, show up as drift.
-- Indexes created before the conversion are propagated to every chunk.
--
-- by_range() is the generalized dimension builder (TimescaleDB >= 2.13).
SELECT create_hypertable('tel_positions', by_range('time', INTERVAL '1 day'), create_default_indexes => FALSE);
