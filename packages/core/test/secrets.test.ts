/**
 * Secrets at rest: AES-256-GCM round trip with a fresh IV per value, tampering and a wrong key
 * detected (GCM's tag), legacy plaintext read as is, and a NIST-independent check that the format is
 * what the docstring says (IV ‖ tag ‖ ciphertext, decrypted here with node:crypto directly).
 */
import { createDecipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { configureSecrets, isSealed, openSecret, SecretBox, sealSecret } from "../src/index";

describe("SecretBox", () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it("seals with a fresh IV each time and opens back", () => {
    const a = box.seal("EAAG-access-token");
    const b = box.seal("EAAG-access-token");
    expect(a).not.toBe(b);
    expect(a.startsWith("fcs1:")).toBe(true);
    expect(a).not.toContain("EAAG");
    expect(box.open(a)).toBe("EAAG-access-token");
    expect(box.open(box.seal(""))).toBe("");
    expect(box.open(box.seal("ünïcødé 🔑"))).toBe("ünïcødé 🔑");
  });

  it("stores IV ‖ tag ‖ ciphertext, as documented", () => {
    const raw = Buffer.from(box.seal("app-secret").slice(5), "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    expect(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString()).toBe("app-secret");
  });

  it("refuses an altered value or another key", () => {
    const sealed = box.seal("webhook-secret");
    const raw = Buffer.from(sealed.slice(5), "base64url");
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`fcs1:${raw.toString("base64url")}`)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open("fcs1:AAAA")).toThrow(/truncated/);
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it("reads legacy plaintext as is; the process key seals and opens", () => {
    expect(box.open("plain-old-secret")).toBe("plain-old-secret");
    configureSecrets(randomBytes(32).toString("base64"));
    const sealed = sealSecret("t0k3n");
    expect(sealed && isSealed(sealed)).toBe(true);
    expect(openSecret(sealed)).toBe("t0k3n");
    expect(openSecret(null)).toBeNull();
    configureSecrets(null);
    expect(sealSecret("t0k3n")).toBe("t0k3n");
    expect(() => openSecret(sealed)).toThrow(/no SECRETS_KEY/);
  });
});
