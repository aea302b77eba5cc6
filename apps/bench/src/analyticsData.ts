/**
 * The data set of `pnpm bench:analytics`, generated inside PostgreSQL (INSERT … SELECT over
 * generate_series: no rows travel through Node), as the owner role, in a throw-away database:
 *
 * - `tenants` tenants (default 1,000) in four time zones and three segments, 5–300 vehicles each,
 *   ten account managers with 100 tenants each, a subscription (MRR) and a contract each (renewal
 *   within the next year), an engagement every ~2 months;
 * - `days` days (default 730) of daily activity per tenant (adm_tenant_activity_metrics) with
 *   weekly seasonality and noise; 5 % of tenants decline over the last 90 days;
 * - the same days of daily health scores (adm_tenant_health_scores: score, bands, four component
 *   scores, a components JSON of realistic size, churn risk) — synthetic, derived from activity;
 * - a year of hourly fleet rollups per tenant (adm_tenant_fleet_hourly, 8,760 rows each);
 * - `positions` GPS positions (default 50 million) in tel_positions, for `positionVehicles` vehicles
 *   spread over the year, so the hypertables hold a realistic number of chunks and the telemetry
 *   table the size the issue names.
 * Every step prints its duration; ANALYZE at the end.
 */
import pg from "pg";

export interface AnalyticsDataOptions {
  tenants: number;
  days: number;
  positions: number;
  positionVehicles: number;
}

const SEGMENTS = ["smb", "mid_market", "enterprise"];
const ZONES = ["America/New_York", "America/Chicago", "Europe/Paris", "America/Los_Angeles"];

/** Runs `sql`, printing `label` and how long it took. */
async function step(client: pg.Client, label: string, sql: string, params: unknown[] = []): Promise<void> {
  const started = performance.now();
  const r = await client.query(sql, params);
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`  ${label}: ${r.rowCount ?? 0} rows, ${s} s`);
}

/**
 * Generates the data set into the database at `ownerUrl` (see the module comment).
 * @returns the generated tenants' ids and the account managers' user ids
 */
export async function generateAnalyticsData(
  ownerUrl: string,
  opts: AnalyticsDataOptions,
): Promise<{ tenantIds: string[]; managerUserIds: string[] }> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: "fleetcore-bench-analytics" });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    await step(
      client,
      "tenants",
      `INSERT INTO adm_tenants (name, slug, country_code, default_currency, timezone, status, segment, created_at, metadata)
       SELECT 'Bench tenant ' || i, 'bench-' || i, 'US', 'USD', ($2::text[])[1 + i % 4], 'active',
              ($3::text[])[1 + (i / 7) % 3], now() - ((60 + (i * 7919) % 900) || ' days')::interval,
              jsonb_build_object('vehicles', 5 + (i * 104729) % 296, 'declining', i % 20 = 0)
         FROM generate_series(1, $1) i`,
      [opts.tenants, ZONES, SEGMENTS],
    );
    const { rows: tenants } = await client.query<{ id: string }>(
      "SELECT id FROM adm_tenants WHERE slug LIKE 'bench-%' ORDER BY created_at",
    );
    await step(
      client,
      "account managers",
      `WITH u AS (
         INSERT INTO adm_users (email, full_name) SELECT 'am' || i || '@bench.test', 'Manager ' || i
           FROM generate_series(1, 10) i RETURNING id
       )
       INSERT INTO adm_provider_employees (user_id, role) SELECT id, 'account_manager' FROM u`,
    );
    await step(
      client,
      "assignments",
      `WITH e AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM adm_provider_employees),
            t AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM adm_tenants WHERE slug LIKE 'bench-%')
       INSERT INTO adm_tenant_account_managers (tenant_id, employee_id, role, start_date)
       SELECT t.id, e.id, 'owner', current_date - 900 FROM t JOIN e ON e.n = t.n % 10`,
    );
    await step(
      client,
      "subscriptions",
      `INSERT INTO bil_tenant_subscriptions (tenant_id, interval, status, current_period_start, current_period_end,
                                            mrr_minor, currency, stripe_customer_id, stripe_subscription_id)
       SELECT id, 'month', 'active', now() - interval '10 days', now() + interval '20 days',
              2900 + ((metadata->>'vehicles')::int * 350), 'USD', 'cus_bench_' || slug, 'sub_bench_' || slug
         FROM adm_tenants WHERE slug LIKE 'bench-%'`,
    );
    await step(
      client,
      "contracts",
      `INSERT INTO crm_contracts (tenant_id, plan_name, effective_date, expiry_date, annual_value_minor, currency, status)
       SELECT id, 'Fleet Pro', current_date - 200, current_date + 1 + (abs(hashtext(slug)) % 365),
              (2900 + (metadata->>'vehicles')::int * 350) * 12, 'USD', 'active'
         FROM adm_tenants WHERE slug LIKE 'bench-%'`,
    );
    await step(
      client,
      "engagements",
      `INSERT INTO crm_engagements (tenant_id, type, title, outcome, scheduled_at, completed_at, created_at)
       SELECT t.id, 'call', 'Check-in', 'positive', d, d, d
         FROM adm_tenants t
         CROSS JOIN generate_series(now() - ($1 || ' days')::interval, now() - interval '1 day', interval '61 days') d
        WHERE t.slug LIKE 'bench-%'`,
      [opts.days],
    );
    // Daily activity: per tenant, vehicles × a weekly factor × noise; decliners fall to 40 % over 90 days.
    const batch = 100;
    for (let from = 0; from < tenants.length; from += batch) {
      const ids = tenants.slice(from, from + batch).map((t) => t.id);
      await step(
        client,
        `daily activity, tenants ${from + 1}–${from + ids.length}`,
        `INSERT INTO adm_tenant_activity_metrics (tenant_id, period_start, period_end, active_users, logins, sessions,
           active_drivers, active_vehicles, positions, distance_m, trips, messages_sent, messages_received,
           median_response_s, events, alerts, tickets_opened, tickets_open, csat_responses, csat_avg, nps_responses,
           nps, failed_payments, features_used, feature_count, seats_used, seats_plan, vehicles_plan)
         SELECT t.id, d::date, d::date + 1, u.users, u.users * 2, u.users * 2 + 1, u.veh, u.veh, u.veh * 1900,
                u.veh * 145000, u.veh * 6, u.veh, u.veh + 1, 240 + (random() * 300)::int, u.veh * 2, u.veh / 8,
                (random() < 0.08)::int, (random() * 3)::int, (random() < 0.03)::int,
                CASE WHEN random() < 0.03 THEN 4.2 END, 0, NULL, 0,
                '{"map": 12, "feed": 30, "vehicle.list": 4, "replay.vehicle": 2}', 4 + (random() * 8)::int,
                u.users, 20, 40
           FROM adm_tenants t
          CROSS JOIN generate_series(current_date - $2::int, current_date - 1, interval '1 day') d
          CROSS JOIN LATERAL (
            SELECT greatest(0, round((t.metadata->>'vehicles')::int * 0.85
                     * CASE WHEN extract(isodow FROM d) >= 6 THEN 0.5 ELSE 1 END
                     * CASE WHEN (t.metadata->>'declining')::boolean AND d > current_date - 90
                            THEN 1 - 0.6 * extract(epoch FROM d - (current_date - 90)) / (90 * 86400) ELSE 1 END
                     * (0.9 + random() * 0.2)))::int AS veh,
                   (2 + random() * 10)::int AS users
          ) u
          WHERE t.id = ANY($1::uuid[])`,
        [ids, opts.days],
      );
    }
    // Daily health scores derived from activity (the benchmark times reads of them; the scoring job
    // itself is timed separately on one day).
    for (let from = 0; from < tenants.length; from += batch) {
      const ids = tenants.slice(from, from + batch).map((t) => t.id);
      await step(
        client,
        `daily health scores, tenants ${from + 1}–${from + ids.length}`,
        `INSERT INTO adm_tenant_health_scores (tenant_id, day, score, band, profile, product_usage_score, support_score,
           engagement_score, business_score, components, churn_risk, churn_horizon_days, churn_drivers)
         SELECT m.tenant_id, m.period_start, s.score,
                CASE WHEN s.score < 50 THEN 'red' WHEN s.score > 75 THEN 'green' ELSE 'yellow' END, 'default',
                s.pu, s.su, s.en, s.bu,
                jsonb_build_array(
                  jsonb_build_object('key', 'productUsage', 'score', s.pu, 'weight', 40, 'reason', 'logins steady vs the previous 30 days'),
                  jsonb_build_object('key', 'support', 'score', s.su, 'weight', 25, 'reason', 'no open escalations'),
                  jsonb_build_object('key', 'engagement', 'score', s.en, 'weight', 20, 'reason', 'last engagement 12 days ago'),
                  jsonb_build_object('key', 'business', 'score', s.bu, 'weight', 15, 'reason', 'payments on time')),
                greatest(0, least(100, 100 - s.score + (random() * 10)::int)), 90,
                '[{"driver": "usage_decline", "contribution": 10, "reason": "active vehicles down"}]'
           FROM adm_tenant_activity_metrics m
          CROSS JOIN LATERAL (
            SELECT least(100, (m.active_vehicles * 100 / greatest(1, (SELECT (metadata->>'vehicles')::int FROM adm_tenants WHERE id = m.tenant_id)))::int) AS pu,
                   70 + (random() * 30)::int AS su, 60 + (random() * 40)::int AS en, 80 + (random() * 20)::int AS bu
          ) s0
          CROSS JOIN LATERAL (SELECT s0.pu, s0.su, s0.en, s0.bu,
                                     ((s0.pu * 40 + s0.su * 25 + s0.en * 20 + s0.bu * 15) / 100)::int AS score) s
          WHERE m.tenant_id = ANY($1::uuid[])`,
        [ids],
      );
    }
    for (let from = 0; from < tenants.length; from += batch * 2) {
      const ids = tenants.slice(from, from + batch * 2).map((t) => t.id);
      await step(
        client,
        `hourly fleet rollup (a year), tenants ${from + 1}–${from + ids.length}`,
        `INSERT INTO adm_tenant_fleet_hourly (tenant_id, hour, active_vehicles, positions, distance_m, avg_speed_kph,
           events, alerts, messages_sent, messages_received)
         SELECT t.id, h, x.v, x.v * 80, x.v * 6000, 32.5, x.v / 10, x.v / 50, x.v / 8, x.v / 8
           FROM adm_tenants t
          CROSS JOIN generate_series(date_trunc('hour', now()) - interval '365 days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') h
          CROSS JOIN LATERAL (
            SELECT ((t.metadata->>'vehicles')::int * CASE WHEN extract(hour FROM h) BETWEEN 6 AND 20 THEN 0.8 ELSE 0.1 END
                    * (0.9 + random() * 0.2))::int AS v
          ) x
          WHERE t.id = ANY($1::uuid[])`,
        [ids],
      );
    }
    if (opts.positions > 0) {
      const vehicles = Math.max(1, opts.positionVehicles);
      const perVehicle = Math.ceil(opts.positions / vehicles);
      const stepS = Math.max(1, Math.floor((365 * 86400) / perVehicle));
      await step(
        client,
        "vehicles and devices with positions",
        `WITH t AS (SELECT id, row_number() OVER (ORDER BY created_at) AS n FROM adm_tenants WHERE slug LIKE 'bench-%'),
              v AS (INSERT INTO flt_vehicles (tenant_id, name)
                    SELECT t.id, 'Bench vehicle ' || g FROM generate_series(1, $1) g JOIN t ON t.n = 1 + (g - 1) % (SELECT count(*) FROM t)
                    RETURNING id, tenant_id, name)
         INSERT INTO tel_devices (tenant_id, unique_id, name, vehicle_id)
         SELECT tenant_id, 'bench-dev-' || substr(name, 15), 'tracker', id FROM v`,
        [vehicles],
      );
      const { rows: devs } = await client.query<{ id: string }>(
        "SELECT id FROM tel_devices WHERE unique_id LIKE 'bench-dev-%' ORDER BY unique_id",
      );
      const chunk = Math.max(1, Math.floor(5_000_000 / perVehicle));
      for (let from = 0; from < devs.length; from += chunk) {
        const ids = devs.slice(from, from + chunk).map((d) => d.id);
        await step(
          client,
          `positions, devices ${from + 1}–${from + ids.length}`,
          `INSERT INTO tel_positions (time, tenant_id, device_id, vehicle_id, latitude, longitude, speed_kph, received_at)
           SELECT date_trunc('second', now()) - make_interval(secs => g * $2::int), d.tenant_id, d.id, d.vehicle_id,
                  30.2 + random() * 0.1, -97.8 + random() * 0.1, (random() * 70)::real, now()
             FROM tel_devices d CROSS JOIN generate_series(1, $3::int) g
            WHERE d.id = ANY($1::uuid[])`,
          [ids, stepS, perVehicle],
        );
      }
    }
    await step(client, "ANALYZE", "ANALYZE");
    const { rows: managers } = await client.query<{ user_id: string }>(
      "SELECT user_id FROM adm_provider_employees WHERE role = 'account_manager' ORDER BY user_id",
    );
    return { tenantIds: tenants.map((t) => t.id), managerUserIds: managers.map((m) => m.user_id) };
  } finally {
    await client.end();
  }
}
