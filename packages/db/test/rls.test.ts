/**
 * Row-level security invariants that every future migration must keep: the application role cannot
 * bypass RLS, every table holding tenant data has RLS on with policies, and the audit log is append-only.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl, testOwnerDatabaseUrl } from "../src/test-context";

let app: pg.Client;
let owner: pg.Client;

beforeAll(async () => {
  app = new pg.Client({ connectionString: testDatabaseUrl() });
  owner = new pg.Client({ connectionString: testOwnerDatabaseUrl() });
  await app.connect();
  await owner.connect();
});

afterAll(async () => {
  await app.end();
  await owner.end();
});

describe("row-level security", () => {
  it("connects the application as a role that is not superuser, cannot bypass RLS and owns no table", async () => {
    const { rows } = await app.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
      `SELECT r.rolsuper, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p')) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
  });

  it("has RLS enabled with at least one policy on every table with a tenant_id column (hypertables included)", async () => {
    const { rows } = await owner.query<{ table: string; rls: boolean; policies: number }>(
      `SELECT c.relname AS table, c.relrowsecurity AS rls,
              (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    expect(rows.map((r) => r.table)).toContain("tel_positions");
    const unprotected = rows.filter((r) => !r.rls || r.policies === 0).map((r) => r.table);
    expect(unprotected).toEqual([]);
  });

  it("denies every tenant row when no scope is set (a forgotten scope returns nothing, not everything)", async () => {
    await owner.query(
      `INSERT INTO adm_tenants (name, slug, country_code, default_currency, updated_at)
       VALUES ('Unscoped', 'unscoped-${Date.now()}', 'US', 'USD', now())`,
    );
    const { rows } = await app.query("SELECT id FROM adm_tenants");
    expect(rows).toEqual([]);
  });

  it("keeps the audit log append-only: no UPDATE/DELETE privilege for the app, a trigger for everyone", async () => {
    await owner.query(
      `INSERT INTO adm_audit_logs (actor_type, entity_type, action) VALUES ('system', 'test', 'test.appended')`,
    );
    await expect(app.query("UPDATE adm_audit_logs SET action = 'x'")).rejects.toThrow(/permission denied/);
    await expect(app.query("DELETE FROM adm_audit_logs")).rejects.toThrow(/permission denied/);
    await expect(owner.query("UPDATE adm_audit_logs SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(owner.query("DELETE FROM adm_audit_logs")).rejects.toThrow(/append-only/);
    await expect(owner.query("TRUNCATE adm_audit_logs")).rejects.toThrow(/append-only/);
  });
});
