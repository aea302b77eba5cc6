/**
 * Sign-in throttling with rate-limiter-flexible: failed attempts are counted per account (email)
 * and per client IP over a sliding window; once either budget is spent, attempts are refused until
 * it refills — before the password is even checked, so guessing gains nothing.
 *
 * Defaults (OWASP Authentication Cheat Sheet, "protect against automated attacks"): 5 failures per
 * account per 15 minutes, 50 failures per IP per 15 minutes (an office behind one NAT keeps
 * working). A success clears the account's counter. Counters live in this process's memory: with
 * one server process that is exact; several processes each enforce their own budget (swap in
 * RateLimiterPostgres/Redis from the same library to share them).
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export interface LoginThrottleOptions {
  perAccount?: number;
  perIp?: number;
  /** Window, seconds. */
  windowS?: number;
}

export class LoginThrottle {
  private readonly account: RateLimiterMemory;
  private readonly ip: RateLimiterMemory;

  constructor(opts: LoginThrottleOptions = {}) {
    const duration = opts.windowS ?? 15 * 60;
    this.account = new RateLimiterMemory({ keyPrefix: "login-account", points: opts.perAccount ?? 5, duration });
    this.ip = new RateLimiterMemory({ keyPrefix: "login-ip", points: opts.perIp ?? 50, duration });
  }

  /** Seconds to wait before `email` may try again from `ip`; 0 when allowed now. */
  async retryAfterS(email: string, ip: string | null): Promise<number> {
    const checks = [this.blockedFor(this.account, email), ip ? this.blockedFor(this.ip, ip) : Promise.resolve(0)];
    return Math.max(...(await Promise.all(checks)));
  }

  /** Counts a failed attempt against both budgets. */
  async fail(email: string, ip: string | null): Promise<void> {
    await Promise.all([swallow(this.account.penalty(email)), ip ? swallow(this.ip.penalty(ip)) : Promise.resolve()]);
  }

  /** A successful sign-in clears the account's failures (not the IP's). */
  async succeed(email: string): Promise<void> {
    await this.account.delete(email);
  }

  private async blockedFor(limiter: RateLimiterMemory, key: string): Promise<number> {
    const res = await limiter.get(key);
    if (!res || res.consumedPoints < limiter.points) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }
}

async function swallow(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}
