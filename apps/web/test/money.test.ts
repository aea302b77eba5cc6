/** Money helpers of the web app (apps/web/src/lib/money.ts): exact minor-unit formatting and parsing. */
import { describe, expect, it } from "vitest";
import { formatMoney, minorDigits, minorToDecimalString, moneyInputValue, parseMoneyInput } from "../src/lib/money";

describe("money", () => {
  it("knows the minor-unit digits of currencies", () => {
    expect(minorDigits("USD")).toBe(2);
    expect(minorDigits("eur")).toBe(2);
    expect(minorDigits("JPY")).toBe(0);
    expect(minorDigits("BHD")).toBe(3);
  });

  it("turns minor units into exact decimal strings", () => {
    expect(minorToDecimalString(123456n, 2)).toBe("1234.56");
    expect(minorToDecimalString(5n, 2)).toBe("0.05");
    expect(minorToDecimalString(-5n, 2)).toBe("-0.05");
    expect(minorToDecimalString(12345n, 0)).toBe("12345");
    expect(minorToDecimalString(900719925474099123n, 2)).toBe("9007199254740991.23");
  });

  it("formats with the currency's digits, exactly beyond 2^53", () => {
    expect(formatMoney(123456n, "USD").replace(/\s/g, " ")).toMatch(/1,?234\.56|1.234,56|1 234,56/);
    expect(formatMoney(12345n, "JPY")).toMatch(/12.?345/);
    expect(formatMoney(900719925474099123n, "USD")).toMatch(/23$|23\s*\$?$/);
  });

  it("parses typed amounts into minor units", () => {
    expect(parseMoneyInput("1,234.5", "USD")).toBe(123450n);
    expect(parseMoneyInput("48000", "EUR")).toBe(4800000n);
    expect(parseMoneyInput("0.07", "USD")).toBe(7n);
    expect(parseMoneyInput("12345", "JPY")).toBe(12345n);
    expect(parseMoneyInput("12.5", "JPY")).toBeNull();
    expect(parseMoneyInput("1.234", "USD")).toBeNull();
    expect(parseMoneyInput("-3", "USD")).toBeNull();
    expect(parseMoneyInput("abc", "USD")).toBeNull();
    expect(moneyInputValue(123450n, "USD")).toBe("1234.50");
    expect(parseMoneyInput(moneyInputValue(987654321n, "BHD"), "BHD")).toBe(987654321n);
  });
});
