/**
 * Shared by the browser tests: the real server serving the built web app, Debian's Chromium through
 * playwright-core (no downloaded browsers), and signing in through the real login form.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { disconnectAll, REPO_ROOT } from "@fleetcore/db";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEMO_PASSWORD, startTestServer } from "../helpers";

export const WEB_DIST = join(REPO_ROOT, "apps", "web", "dist");

/** Fails clearly when the web app was not built (npm test builds it first). */
export function assertWebBuilt(): void {
  if (!existsSync(join(WEB_DIST, "index.html"))) {
    throw new Error(`the web app is not built (${WEB_DIST}); run \`pnpm build\` or \`npm test\``);
  }
}

/** Headless Chromium at CHROMIUM_PATH (default /usr/bin/chromium, Debian's package). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Fills and submits the sign-in form on the page that is showing it. */
export async function submitSignIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
}

/**
 * For one browser test file: starts the real server (built web app, test database, demo data) and
 * Chromium before its tests and closes both after. Read `suite.server` / `suite.browser` inside
 * tests and hooks (they are set once `beforeAll` ran).
 */
export function browserSuite(): { server: Awaited<ReturnType<typeof startTestServer>>; browser: Browser } {
  const suite = {} as { server: Awaited<ReturnType<typeof startTestServer>>; browser: Browser };
  beforeAll(async () => {
    assertWebBuilt();
    suite.server = await startTestServer({ webDistDir: WEB_DIST });
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.app.close();
    await disconnectAll();
  });
  return suite;
}
