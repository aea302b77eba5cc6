-- AlterTable
ALTER TABLE "adm_tenants" ADD COLUMN     "position_retention_days" INTEGER NOT NULL DEFAULT 365;

-- CreateTable
CREATE TABLE "flt_vehicle_assignments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "vehicle_id" UUID NOT NULL,
    "driver_id" UUID NOT NULL,
    "start_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "end_at" TIMESTAMPTZ(3),
    "notes" TEXT,
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flt_vehicle_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tel_gtfs_realtime_feeds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "poll_interval_s" INTEGER NOT NULL DEFAULT 30,
    "device_id_prefix" TEXT NOT NULL DEFAULT '',
    "headers" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "last_polled_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_feed_time" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_accepted" INTEGER NOT NULL DEFAULT 0,
    "last_rejected" INTEGER NOT NULL DEFAULT 0,
    "last_unknown" INTEGER NOT NULL DEFAULT 0,
    "created_by_user_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "tel_gtfs_realtime_feeds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "flt_vehicle_assignments_tenant_id_idx" ON "flt_vehicle_assignments"("tenant_id");

-- CreateIndex
CREATE INDEX "flt_vehicle_assignments_vehicle_id_start_at_idx" ON "flt_vehicle_assignments"("vehicle_id", "start_at" DESC);

-- CreateIndex
CREATE INDEX "flt_vehicle_assignments_driver_id_start_at_idx" ON "flt_vehicle_assignments"("driver_id", "start_at" DESC);

-- CreateIndex
CREATE INDEX "tel_gtfs_realtime_feeds_tenant_id_idx" ON "tel_gtfs_realtime_feeds"("tenant_id");

-- AddForeignKey
ALTER TABLE "flt_vehicle_assignments" ADD CONSTRAINT "flt_vehicle_assignments_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flt_vehicle_assignments" ADD CONSTRAINT "flt_vehicle_assignments_vehicle_id_fkey" FOREIGN KEY ("vehicle_id") REFERENCES "flt_vehicles"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flt_vehicle_assignments" ADD CONSTRAINT "flt_vehicle_assignments_driver_id_fkey" FOREIGN KEY ("driver_id") REFERENCES "rid_drivers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tel_gtfs_realtime_feeds" ADD CONSTRAINT "tel_gtfs_realtime_feeds_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "adm_tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written: row-level security (see 20261121010000_auth_rls for the scheme)
-- ---------------------------------------------------------------------------------------------
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['flt_vehicle_assignments', 'tel_gtfs_realtime_feeds']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id() OR app_cross_tenant()) '
                   'WITH CHECK (tenant_id = app_tenant_id() OR app_cross_tenant())', t);
  END LOOP;
END $$;

ALTER TABLE "adm_tenants" ADD CONSTRAINT "adm_tenants_position_retention_days_check"
  CHECK ("position_retention_days" BETWEEN 7 AND 3650);

-- Retention: drop_chunks needs the hypertable's owner, and the application role owns nothing.
-- This SECURITY DEFINER wrapper lets the server's retention job drop whole tel_positions chunks
-- older than a cut-off, never one younger than the shortest allowed period (7 days).
-- Returns the number of chunks dropped. TimescaleDB docs: https://docs.timescale.com/api/latest/hypertable/drop_chunks/
CREATE FUNCTION "app_drop_position_chunks"(older_than timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE dropped integer;
BEGIN
  IF older_than > now() - interval '7 days' THEN
    RAISE EXCEPTION 'refusing to drop tel_positions chunks newer than 7 days (older_than=%)', older_than;
  END IF;
  SELECT count(*)::int INTO dropped FROM drop_chunks('tel_positions', older_than => older_than);
  RETURN dropped;
END $$;
REVOKE ALL ON FUNCTION "app_drop_position_chunks"(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "app_drop_position_chunks"(timestamptz) TO fleetcore_app;
