-- Ingest: latest position per device, unknown devices, batch API keys, per-fix distance and
-- vehicle odometers. Written by the ingest path in the system scope; read by tenants under RLS.

-- AlterTable
ALTER TABLE "flt_vehicles" ADD COLUMN     "odometer_m" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "tel_positions" ADD COLUMN     "distance_m" REAL;

-- CreateTable
CREATE TABLE "tel_latest_positions" (
    "device_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "vehicle_id" UUID,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "speed_kph" REAL,
    "heading_deg" REAL,
    "altitude_m" REAL,
    "accuracy_m" REAL,
    "odometer_m" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tel_latest_positions_pkey" PRIMARY KEY ("device_id")
);

-- CreateTable
CREATE TABLE "tel_unknown_devices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID,
    "unique_id" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "report_count" INTEGER NOT NULL DEFAULT 1,
    "last_ip" TEXT,
    "last_fix" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "tel_unknown_devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tel_ingest_api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "tel_ingest_api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tel_latest_positions_tenant_id_idx" ON "tel_latest_positions"("tenant_id");

-- CreateIndex
CREATE INDEX "tel_latest_positions_vehicle_id_idx" ON "tel_latest_positions"("vehicle_id");

-- CreateIndex
CREATE INDEX "tel_unknown_devices_tenant_id_idx" ON "tel_unknown_devices"("tenant_id");

-- CreateIndex
CREATE UNIQUE INDEX "tel_unknown_devices_unique_id_protocol_key" ON "tel_unknown_devices"("unique_id", "protocol");

-- CreateIndex
CREATE UNIQUE INDEX "tel_ingest_api_keys_key_hash_key" ON "tel_ingest_api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "tel_ingest_api_keys_tenant_id_idx" ON "tel_ingest_api_keys"("tenant_id");

-- AddForeignKey
ALTER TABLE "tel_ingest_api_keys" ADD CONSTRAINT "tel_ingest_api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written: row-level security (see 20261121010000_auth_rls for the scheme)
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tel_latest_positions', 'tel_ingest_api_keys']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_cross_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant())', t);
  END LOOP;
END $$;

-- Unknown devices: a tenant sees those its own sources reported (tenant_id set) and claims them;
-- those from open protocols (tenant_id null) are for the provider/system scopes.
ALTER TABLE "tel_unknown_devices" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "tel_unknown_devices"
  USING (tenant_id = app_tenant_id() OR app_cross_tenant())
  WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant());
