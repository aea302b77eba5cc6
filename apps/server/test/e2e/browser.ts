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
 * The few browser globals that code run in a page (`page.evaluate`) uses here, for the type checker:
 * the server package compiles without the DOM library, so that its code cannot use them by mistake.
 */
export interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: Record<string, boolean>): void; disconnect(): void };
  requestAnimationFrame(callback: () => void): number;
  /** Where {@link recordAppearance} leaves its figures. */
  [slot: string]: unknown;
}

/** The parts of a DOM element that code run in a page uses here. */
export interface PageElement {
  textContent: string | null;
  style: { transform: string };
  getBoundingClientRect(): { width: number; height: number };
  checkVisibility(options?: { visibilityProperty?: boolean }): boolean;
}

/** Numbers the {@link recordAppearance} recorders of this process (their slots on `window`). */
let recorders = 0;

/**
 * Starts recording, inside `page`, when a visible element matching the CSS `selector` whose text
 * contains `text` first shows: the page's wall clock (`Date.now()`, the machine's clock, as in Node)
 * at the first DOM change after which it matches. A MutationObserver checks on every change (a
 * 50 ms interval catches what changes without a mutation), so the figure carries none of the
 * delay of Playwright's waits, which retry only every 100–500 ms. Resolves once it is installed;
 * fails if the element already shows. `shownAt` waits up to `timeout` ms for the figure (it is
 * there once Playwright saw the element).
 */
export async function recordAppearance(
  page: Page,
  selector: string,
  text: string,
): Promise<{ shownAt: (timeout?: number) => Promise<number> }> {
  recorders += 1;
  const slot = `__fcShownAt${recorders}`;
  const installed = await page.evaluate(
    ({ slot, selector, text }) => {
      const w = globalThis as unknown as PageGlobals;
      const visible = (el: PageElement) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && el.checkVisibility({ visibilityProperty: true });
      };
      const shows = () =>
        Array.from(w.document.querySelectorAll(selector)).some((el) => el.textContent?.includes(text) && visible(el));
      if (shows()) return false;
      const check = () => {
        if (w[slot] !== undefined || !shows()) return;
        w[slot] = Date.now();
        observer.disconnect();
        clearInterval(interval);
      };
      const observer = new w.MutationObserver(check);
      observer.observe(w.document, { subtree: true, childList: true, characterData: true, attributes: true });
      const interval = setInterval(check, 50);
      return true;
    },
    { slot, selector, text },
  );
  if (!installed) throw new Error(`recordAppearance: ${selector} with "${text}" already shows`);
  return {
    async shownAt(timeout = 5000) {
      const at = await page.waitForFunction((slot) => (globalThis as unknown as PageGlobals)[slot], slot, {
        timeout,
        polling: 50,
      });
      return (await at.jsonValue()) as number;
    },
  };
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
