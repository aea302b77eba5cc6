import { describe, expect, it } from "vitest";
import { ZCreateTenantRequest, ZCreateVehicleRequest } from "../src/index";

const tenantId = "0f8fad5b-d9cb-469f-a165-70867728950e";

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
      tenantId,
      name: "Van 1",
      licensePlate: "ab-123",
      vin: "1ftbw3xm5hka12345",
    });
    expect(parsed.licensePlate).toBe("AB-123");
    expect(parsed.vin).toBe("1FTBW3XM5HKA12345");
  });

  it.each([["1FTBW3XM5HKA1234"], ["1FTBW3XM5HKO12345"], ["IFTBW3XM5HKA12345"]])("rejects VIN %j", (vin) => {
    expect(ZCreateVehicleRequest.safeParse({ tenantId, name: "Van", vin }).success).toBe(false);
  });

  it("rejects a non-integer or absurd speed limit and a non-UUID tenant", () => {
    expect(ZCreateVehicleRequest.safeParse({ tenantId, name: "Van", speedLimitKph: 80.5 }).success).toBe(false);
    expect(ZCreateVehicleRequest.safeParse({ tenantId, name: "Van", speedLimitKph: 900 }).success).toBe(false);
    expect(ZCreateVehicleRequest.safeParse({ tenantId: "42", name: "Van" }).success).toBe(false);
  });
});
