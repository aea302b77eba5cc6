/**
 * `pnpm db:seed`: the demo data `npm start` shows (see demo.ts: never writes over real data); one
 * file per domain, called in dependency order.
 */
import { loadEnv } from "@fleetcore/config";
import { backfillActivity, configureSecrets, scoreHistory } from "@fleetcore/core";
import { disconnectAll, getPrisma } from "@fleetcore/db";
import { seedDemo } from "./demo";
import { printDemoLogins } from "./identity";
import { seedPortfolio } from "./portfolio";

const env = loadEnv();
configureSecrets(env.SECRETS_KEY); // the demo integration's secret is stored sealed, as the server would
// As the owner: the seed writes across tenants, which row-level security denies the app role.
const db = getPrisma(env.DATABASE_OWNER_URL);
try {
  const done = await seedDemo(db);
  // The account managers' portfolio: 48 more tenants with a year of history (not part of the test
  // fixtures' seedDemo). Progress is printed: it takes a few seconds.
  const portfolio = await seedPortfolio(db, (line) => console.log(`seed: ${line}`));
  if (portfolio) {
    done.push(portfolio);
    // The live demo tenants' metrics come from their real activity (the same rollup the server runs),
    // then a year of daily health scores for everyone; the last 30 days also raise alerts and tasks.
    const day = 86_400_000;
    const today = new Date(new Date().toISOString().slice(0, 10));
    const backfill = await backfillActivity(db, { from: new Date(today.getTime() - 45 * day), to: new Date() });
    console.log(`seed: activity rollup of the live demo tenants: ${backfill.dailyUpserted} daily rows`);
    const year = await scoreHistory(db, {
      from: new Date(today.getTime() - 365 * day),
      to: new Date(today.getTime() - 31 * day),
    });
    console.log(`seed: health scores, ${year.from} → ${year.to}: ${year.rows} tenant-days (${year.durationMs} ms)`);
    const month = await scoreHistory(db, {
      from: new Date(today.getTime() - 30 * day),
      to: new Date(today.getTime() - day),
      alerts: true,
    });
    done.push(`health scores for a year (${year.rows + month.rows} tenant-days, ${month.alerts} recent alerts)`);
  }
  console.log(done.length > 0 ? `seed: ${done.join("; ")}` : "seed: skipped (the database already has data)");
  await printDemoLogins(db);
} finally {
  await disconnectAll();
}
