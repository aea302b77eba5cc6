import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSchemaAgainstDatabase } from "../src/drift";
import { SCHEMA_PATH } from "../src/paths";
import { testOwnerDatabaseUrl } from "../src/test-context";

const schema = readFileSync(SCHEMA_PATH, "utf8");
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: testOwnerDatabaseUrl() });
  await client.connect();
});
afterAll(() => client.end());

describe("schema.prisma vs the migrated database", () => {
  it("agree on every table, column, type, nullability, index, foreign key and enum", async () => {
    expect(await diffSchemaAgainstDatabase(schema, client)).toEqual([]);
  });

  it("reports a column added to schema.prisma without a migration", async () => {
    const edited = schema.replace(/(model Vehicle \{\n)/, '$1  fuelType String @map("fuel_type")\n');
    expect(edited).not.toBe(schema);
    expect(await diffSchemaAgainstDatabase(edited, client)).toEqual([
      "column flt_vehicles.fuel_type is in schema.prisma but missing from the database",
    ]);
  });

  it("reports changed nullability, type and index shape", async () => {
    const edited = schema
      .replace(/(model Vehicle \{[\s\S]*?)\n {2}vin( +)String\?/, "$1\n  vin$2String ")
      .replace(/(model Vehicle \{[\s\S]*?)year( +)Int\?/, "$1year$2BigInt?")
      .replace("@@index([tenantId, vin])", "@@index([vin, tenantId])");
    const problems = await diffSchemaAgainstDatabase(edited, client);
    expect(problems).toContain("column flt_vehicles.vin is nullable in the database, schema says the opposite");
    expect(problems).toContain("column flt_vehicles.year has type integer, schema says bigint");
    expect(problems.some((p) => p.startsWith("index flt_vehicles_vin_tenant_id_idx"))).toBe(true);
  });

  it("reports a changed ON DELETE action", async () => {
    const edited = schema.replace(
      /(vehicle Vehicle\? +@relation\(fields: \[vehicleId\], references: \[id\], onDelete: )SetNull/,
      "$1Cascade",
    );
    expect(edited).not.toBe(schema);
    expect(await diffSchemaAgainstDatabase(edited, client)).toEqual([
      "foreign key tel_devices_vehicle_id_fkey is ON DELETE SetNull in the database, schema says Cascade",
    ]);
  });

  it("reports database objects that the schema does not declare", async () => {
    await client.query("BEGIN");
    try {
      await client.query("ALTER TABLE rid_drivers ADD COLUMN nickname text");
      await client.query("CREATE INDEX rid_drivers_email_idx ON rid_drivers (email)");
      const problems = await diffSchemaAgainstDatabase(schema, client);
      expect(problems).toContain("column rid_drivers.nickname exists in the database but not in schema.prisma");
      expect(problems).toContain(
        "index rid_drivers_email_idx on rid_drivers(email) exists in the database but not in schema.prisma",
      );
    } finally {
      await client.query("ROLLBACK");
    }
  });
});
