/**
 * `pnpm db:seed`: the demo data `npm start` shows (see demo.ts: never writes over real data); one
 * file per domain, called in dependency order.
 */
import { loadEnv } from "@fleetcore/config";
import { configureSecrets } from "@fleetcore/core";
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
  if (portfolio) done.push(portfolio);
  console.log(done.length > 0 ? `seed: ${done.join("; ")}` : "seed: skipped (the database already has data)");
  await printDemoLogins(db);
} finally {
  await disconnectAll();
}
