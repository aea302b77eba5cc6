import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../src/index";

describe("argon2id passwords", () => {
  it("hashes with the documented cost and verifies only the right password", async () => {
    const phc = await hashPassword("correct horse battery staple");
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(phc, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(phc, "Correct horse battery staple")).toBe(false);
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });
});
