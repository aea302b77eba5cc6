import { describe, expect, it } from "vitest";
import {
  hasPermission,
  mergePermissions,
  ZCreateTenantRequest,
  ZCreateVehicleRequest,
  ZEmail,
  ZNewPassword,
} from "../src/index";

describe("ZCreateTenantRequest", () => {
  it("normalises codes and the slug", () => {
    const parsed = ZCreateTenantRequest.parse({
      name: " Acme ",
      slug: " Acme-Logistics ",
      countryCode: "us",
      defaultCurrency: "usd",
    });
    expect(parsed).toEqual({
      name: "Acme",
      slug: "acme-logistics",
      countryCode: "US",
      defaultCurrency: "USD",
      timezone: "UTC",
    });
  });

  it.each([["a"], ["two--hyphens"], ["-leading"], ["spaces here"], ["ünïcode"]])("rejects slug %j", (slug) => {
    expect(
      ZCreateTenantRequest.safeParse({ name: "Acme", slug, countryCode: "US", defaultCurrency: "USD" }).success,
    ).toBe(false);
  });
});

describe("ZCreateVehicleRequest", () => {
  it("accepts a valid VIN and upper-cases plate and VIN", () => {
    const parsed = ZCreateVehicleRequest.parse({
      name: "Van 1",
      licensePlate: "ab-123",
      vin: "1ftbw3xm5hka12345",
    });
    expect(parsed.licensePlate).toBe("AB-123");
    expect(parsed.vin).toBe("1FTBW3XM5HKA12345");
  });

  it.each([["1FTBW3XM5HKA1234"], ["1FTBW3XM5HKO12345"], ["IFTBW3XM5HKA12345"]])("rejects VIN %j", (vin) => {
    expect(ZCreateVehicleRequest.safeParse({ name: "Van", vin }).success).toBe(false);
  });

  it("rejects a non-integer or absurd speed limit, and ignores a tenant id (the tenant comes from the session)", () => {
    expect(ZCreateVehicleRequest.safeParse({ name: "Van", speedLimitKph: 80.5 }).success).toBe(false);
    expect(ZCreateVehicleRequest.safeParse({ name: "Van", speedLimitKph: 900 }).success).toBe(false);
    expect(ZCreateVehicleRequest.parse({ tenantId: "someone-else", name: "Van" })).not.toHaveProperty("tenantId");
  });
});

describe("permissions", () => {
  it("grants by resource and action, with * wildcards", () => {
    const dispatcher = { fleet: ["read"], messages: ["read", "write"] };
    expect(hasPermission(dispatcher, "fleet", "read")).toBe(true);
    expect(hasPermission(dispatcher, "fleet", "write")).toBe(false);
    expect(hasPermission(dispatcher, "members", "read")).toBe(false);
    expect(hasPermission({ "*": ["*"] }, "billing", "write")).toBe(true);
    expect(hasPermission({ "*": ["read"] }, "audit", "read")).toBe(true);
    expect(hasPermission({ "*": ["read"] }, "audit", "write")).toBe(false);
  });

  it("merges several roles' grants", () => {
    expect(mergePermissions([{ fleet: ["read"] }, { fleet: ["write"], audit: ["read"] }])).toEqual({
      fleet: ["read", "write"],
      audit: ["read"],
    });
  });
});

describe("credentials", () => {
  it("lower-cases and trims emails, and asks for passwords of 10 to 256 characters", () => {
    expect(ZEmail.parse("  Dana.Reyes@Example.COM ")).toBe("dana.reyes@example.com");
    expect(ZEmail.safeParse("not-an-email").success).toBe(false);
    expect(ZNewPassword.safeParse("short").success).toBe(false);
    expect(ZNewPassword.safeParse("correct horse battery staple").success).toBe(true);
    expect(ZNewPassword.safeParse("x".repeat(257)).success).toBe(false);
  });
});
