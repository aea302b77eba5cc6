/**
 * Schema drift check: does the migrated database match `prisma/schema.prisma`?
 *
 * Prisma's own check (`prisma migrate diff --from-migrations --to-schema`) needs the schema engine,
 * which cannot be downloaded everywhere; this compares the schema's DMMF (from Prisma's WebAssembly
 * schema parser, `@prisma/get-dmmf`) with PostgreSQL's catalogs: every model's table, every column's
 * type and nullability, enum types and values, primary keys, unique and normal indexes (columns, order,
 * sort direction, names) and foreign keys. Tables in the database that the schema does not declare are
 * reported too, so a migration without a schema edit is caught as well as a schema edit without a
 * migration.
 *
 * Names follow Prisma's PostgreSQL conventions: `{table}_pkey`, `{table}_{columns}_key`,
 * `{table}_{columns}_idx`, `{table}_{columns}_fkey`, cut to PostgreSQL's 63 characters by shortening the
 * prefix (Prisma docs, "Index and constraint names"). Type mapping: Prisma docs, "PostgreSQL native
 * type mappings". Foreign keys are compared on columns, referenced table and ON DELETE action.
 *
 * Not compared (Prisma's DMMF does not carry them, or the schema does not use them): column defaults,
 * ON UPDATE actions, index methods (btree/gin/brin), partial and expression indexes, CHECK constraints.
 * Hand-written SQL for those must be reviewed as such.
 */
import { getDMMF } from "@prisma/get-dmmf";
import type pg from "pg";

/** Tables the database may hold that the schema does not describe. */
const IGNORED_TABLES = new Set(["_prisma_migrations"]);

interface ExpectedColumn {
  dataType: string;
  udtName?: string;
  /** Fractional-second digits of a timestamp. */
  precision?: number;
  /** Length of varchar(n)/char(n). */
  maxLength?: number;
  /** numeric(p, s). */
  numeric?: { precision: number; scale: number };
  nullable: boolean;
}

interface ExpectedIndex {
  name: string;
  columns: string[];
  desc: boolean[];
  unique: boolean;
  primary: boolean;
}

interface ExpectedTable {
  model: string;
  columns: Map<string, ExpectedColumn>;
  indexes: ExpectedIndex[];
  foreignKeys: { name: string; columns: string[]; references: string; onDelete: string }[];
}

/** Native type (`@db.X(args)`) → information_schema `data_type` and precision. */
function nativeColumn(nativeType: [string, string[]]): Omit<ExpectedColumn, "nullable"> {
  const [name, args] = nativeType;
  const n = args[0] === undefined ? undefined : Number(args[0]);
  switch (name) {
    case "Uuid":
      return { dataType: "uuid" };
    case "Text":
      return { dataType: "text" };
    case "VarChar":
      return n === undefined ? { dataType: "character varying" } : { dataType: "character varying", maxLength: n };
    case "Char":
      return { dataType: "character", maxLength: n ?? 1 };
    case "Timestamptz":
      return { dataType: "timestamp with time zone", precision: n ?? 6 };
    case "Timestamp":
      return { dataType: "timestamp without time zone", precision: n ?? 6 };
    case "Date":
      return { dataType: "date" };
    case "Real":
      return { dataType: "real" };
    case "DoublePrecision":
      return { dataType: "double precision" };
    case "Integer":
      return { dataType: "integer" };
    case "SmallInt":
      return { dataType: "smallint" };
    case "BigInt":
      return { dataType: "bigint" };
    case "Decimal":
      return n === undefined
        ? { dataType: "numeric" }
        : { dataType: "numeric", numeric: { precision: n, scale: Number(args[1] ?? 0) } };
    case "JsonB":
      return { dataType: "jsonb" };
    case "Json":
      return { dataType: "json" };
    case "Inet":
      return { dataType: "inet" };
    case "Boolean":
      return { dataType: "boolean" };
    default:
      throw new Error(`drift check: native type @db.${name} is not mapped yet (packages/db/src/drift.ts)`);
  }
}

/** Prisma scalar type without `@db.X` → PostgreSQL default mapping. */
function defaultColumn(type: string): Omit<ExpectedColumn, "nullable"> {
  switch (type) {
    case "String":
      return { dataType: "text" };
    case "Int":
      return { dataType: "integer" };
    case "BigInt":
      return { dataType: "bigint" };
    case "Float":
      return { dataType: "double precision" };
    case "Decimal":
      return { dataType: "numeric", numeric: { precision: 65, scale: 30 } };
    case "Boolean":
      return { dataType: "boolean" };
    case "DateTime":
      return { dataType: "timestamp without time zone", precision: 3 };
    case "Json":
      return { dataType: "jsonb" };
    case "Bytes":
      return { dataType: "bytea" };
    default:
      throw new Error(`drift check: scalar type ${type} is not mapped`);
  }
}

/** Prisma's default constraint name, shortened to PostgreSQL's 63-byte identifier limit. */
function constraintName(prefix: string, suffix: string): string {
  const full = `${prefix}_${suffix}`;
  return full.length <= 63 ? full : `${prefix.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

/** pg_constraint.confdeltype → Prisma's referential action. */
const PG_ACTION: Record<string, string> = {
  a: "NoAction",
  r: "Restrict",
  c: "Cascade",
  n: "SetNull",
  d: "SetDefault",
};

/** What the schema says the database must contain. */
export function expectedSchema(schemaText: string): {
  tables: Map<string, ExpectedTable>;
  enums: Map<string, string[]>;
} {
  const result = getDMMF({ datamodel: [["schema.prisma", schemaText]] });
  if ("type" in result) throw new Error(`schema.prisma does not parse: ${result.reason}`);
  const { datamodel } = result;

  const enums = new Map<string, string[]>();
  const enumDbName = new Map<string, string>();
  for (const e of datamodel.enums) {
    const dbName = e.dbName ?? e.name;
    enumDbName.set(e.name, dbName);
    enums.set(
      dbName,
      e.values.map((v) => v.dbName ?? v.name),
    );
  }

  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const tables = new Map<string, ExpectedTable>();
  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    const columnOf = new Map(model.fields.map((f) => [f.name, (f as { dbName?: string | null }).dbName ?? f.name]));
    const col = (field: string) => columnOf.get(field) ?? field;
    const columns = new Map<string, ExpectedColumn>();
    for (const f of model.fields) {
      if (f.kind === "object") continue;
      const base =
        f.kind === "enum"
          ? { dataType: "USER-DEFINED", udtName: enumDbName.get(f.type) ?? f.type }
          : f.nativeType
            ? nativeColumn(f.nativeType as [string, string[]])
            : defaultColumn(f.type);
      columns.set(
        col(f.name),
        f.isList ? { dataType: "ARRAY", nullable: !f.isRequired } : { ...base, nullable: !f.isRequired },
      );
    }

    const indexes: ExpectedIndex[] = [];
    for (const idx of datamodel.indexes.filter((i) => i.model === model.name)) {
      const cols = idx.fields.map((f) => col(f.name));
      const suffix = idx.type === "id" ? "pkey" : idx.type === "unique" ? "key" : "idx";
      if (idx.type === "fulltext") continue;
      const defaultName = idx.type === "id" ? `${table}_pkey` : constraintName(`${table}_${cols.join("_")}`, suffix);
      indexes.push({
        name: idx.dbName ?? defaultName,
        columns: cols,
        desc: idx.fields.map((f) => f.sortOrder === "desc"),
        unique: idx.type === "id" || idx.type === "unique",
        primary: idx.type === "id",
      });
    }

    const foreignKeys = model.fields
      .filter((f) => f.kind === "object" && (f.relationFromFields?.length ?? 0) > 0)
      .map((f) => {
        const cols = (f.relationFromFields ?? []).map(col);
        // Prisma's defaults: SetNull for optional relations, Restrict for required ones.
        const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
        return {
          name: constraintName(`${table}_${cols.join("_")}`, "fkey"),
          columns: cols,
          references: tableOf.get(f.type) ?? f.type,
          onDelete,
        };
      });

    tables.set(table, { model: model.name, columns, indexes, foreignKeys });
  }
  return { tables, enums };
}

/**
 * Lists every difference between `schemaText` and the database behind `client` (schema `public`).
 * An empty list means no drift. Each entry is a sentence naming the table/column/index and both sides.
 */
export async function diffSchemaAgainstDatabase(schemaText: string, client: pg.ClientBase): Promise<string[]> {
  const expected = expectedSchema(schemaText);
  const problems: string[] = [];

  const { rows: tableRows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const actualTables = new Set(tableRows.map((r) => r.table_name));
  for (const t of actualTables) {
    if (!expected.tables.has(t) && !IGNORED_TABLES.has(t))
      problems.push(`table ${t} exists in the database but no model maps to it`);
  }

  const { rows: columnRows } = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    datetime_precision: number | null;
    character_maximum_length: number | null;
    numeric_precision: number | null;
    numeric_scale: number | null;
    is_nullable: "YES" | "NO";
  }>(
    `SELECT table_name, column_name, data_type, udt_name, datetime_precision, character_maximum_length,
            numeric_precision, numeric_scale, is_nullable
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const { rows: indexRows } = await client.query<{
    table_name: string;
    index_name: string;
    is_unique: boolean;
    is_primary: boolean;
    columns: string[];
    desc_flags: boolean[];
  }>(
    `SELECT t.relname::text AS table_name, i.relname::text AS index_name, ix.indisunique AS is_unique,
            ix.indisprimary AS is_primary,
            array_agg(a.attname::text ORDER BY k.ord) AS columns,
            array_agg((ix.indoption[k.ord - 1] & 1) = 1 ORDER BY k.ord) AS desc_flags
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      -- Partial indexes (hand-written SQL; Prisma cannot declare them) are not compared.
      WHERE ix.indpred IS NULL
      GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary`,
  );
  const { rows: fkRows } = await client.query<{
    table_name: string;
    name: string;
    columns: string[];
    ref_table: string;
    on_delete: string;
  }>(
    `SELECT t.relname::text AS table_name, c.conname::text AS name, r.relname::text AS ref_table, c.confdeltype::text AS on_delete,
            array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE c.contype = 'f'
      GROUP BY t.relname, c.conname, r.relname, c.confdeltype`,
  );

  for (const [table, spec] of expected.tables) {
    if (!actualTables.has(table)) {
      problems.push(`table ${table} (model ${spec.model}) is missing from the database`);
      continue;
    }
    const actualColumns = new Map(columnRows.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
    for (const [name, want] of spec.columns) {
      const got = actualColumns.get(name);
      if (!got) {
        problems.push(`column ${table}.${name} is in schema.prisma but missing from the database`);
        continue;
      }
      if (got.data_type !== want.dataType || (want.udtName && got.udt_name !== want.udtName)) {
        problems.push(
          `column ${table}.${name} has type ${got.data_type === "USER-DEFINED" ? got.udt_name : got.data_type}, schema says ${want.udtName ?? want.dataType}`,
        );
      }
      if (want.maxLength !== undefined && got.character_maximum_length !== want.maxLength) {
        problems.push(
          `column ${table}.${name} has length ${got.character_maximum_length}, schema says ${want.maxLength}`,
        );
      }
      if (
        want.numeric &&
        (got.numeric_precision !== want.numeric.precision || got.numeric_scale !== want.numeric.scale)
      ) {
        problems.push(
          `column ${table}.${name} is numeric(${got.numeric_precision}, ${got.numeric_scale}), schema says numeric(${want.numeric.precision}, ${want.numeric.scale})`,
        );
      }
      if (want.precision !== undefined && got.datetime_precision !== want.precision) {
        problems.push(`column ${table}.${name} has precision ${got.datetime_precision}, schema says ${want.precision}`);
      }
      if ((got.is_nullable === "YES") !== want.nullable) {
        problems.push(
          `column ${table}.${name} is ${got.is_nullable === "YES" ? "nullable" : "NOT NULL"} in the database, schema says the opposite`,
        );
      }
    }
    for (const name of actualColumns.keys()) {
      if (!spec.columns.has(name))
        problems.push(`column ${table}.${name} exists in the database but not in schema.prisma`);
    }

    const actualIndexes = indexRows.filter((i) => i.table_name === table);
    for (const want of spec.indexes) {
      const got = actualIndexes.find((i) => i.index_name === want.name);
      if (!got) {
        problems.push(`index ${want.name} on ${table}(${want.columns.join(", ")}) is missing from the database`);
        continue;
      }
      const same =
        got.columns.join(",") === want.columns.join(",") &&
        got.desc_flags.join(",") === want.desc.join(",") &&
        got.is_unique === want.unique &&
        got.is_primary === want.primary;
      if (!same) {
        problems.push(
          `index ${want.name} is on (${got.columns.join(", ")})${got.is_unique ? " unique" : ""} in the database, schema says (${want.columns.join(", ")})${want.unique ? " unique" : ""}`,
        );
      }
    }
    for (const got of actualIndexes) {
      if (!spec.indexes.some((w) => w.name === got.index_name)) {
        problems.push(
          `index ${got.index_name} on ${table}(${got.columns.join(", ")}) exists in the database but not in schema.prisma`,
        );
      }
    }

    const actualFks = fkRows.filter((f) => f.table_name === table);
    for (const want of spec.foreignKeys) {
      const got = actualFks.find((f) => f.name === want.name);
      if (!got || got.ref_table !== want.references || got.columns.join(",") !== want.columns.join(",")) {
        problems.push(
          `foreign key ${want.name} (${table} → ${want.references}) is missing or different in the database`,
        );
      } else if (PG_ACTION[got.on_delete] !== want.onDelete) {
        problems.push(
          `foreign key ${want.name} is ON DELETE ${PG_ACTION[got.on_delete]} in the database, schema says ${want.onDelete}`,
        );
      }
    }
    for (const got of actualFks) {
      if (!spec.foreignKeys.some((w) => w.name === got.name)) {
        problems.push(`foreign key ${got.name} on ${table} exists in the database but not in schema.prisma`);
      }
    }
  }

  const { rows: enumRows } = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
      GROUP BY t.typname`,
  );
  const actualEnums = new Map(enumRows.map((r) => [r.name, r.values]));
  for (const [name, values] of expected.enums) {
    const got = actualEnums.get(name);
    if (!got) problems.push(`enum type ${name} is missing from the database`);
    else if (got.join(",") !== values.join(",")) {
      problems.push(`enum ${name} has values (${got.join(", ")}) in the database, schema says (${values.join(", ")})`);
    }
  }
  for (const name of actualEnums.keys()) {
    if (!expected.enums.has(name)) problems.push(`enum type ${name} exists in the database but not in schema.prisma`);
  }
  return problems;
}
