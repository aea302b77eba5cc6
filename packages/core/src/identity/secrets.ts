/**
 * Encryption at rest of secrets the platform must read back (integration app secrets, webhook
 * secrets, provider access tokens) — unlike passwords and session tokens, which are only hashed.
 * AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per value, through node:crypto; stored as
 * `fcs1:` + base64url(IV ‖ 16-byte tag ‖ ciphertext). The process key is set once at start-up
 * ({@link configureSecrets}, from SECRETS_KEY). Values without the prefix are plaintext written
 * before encryption existed: read as they are, sealed on their next write.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const PREFIX = "fcs1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens strings with one 32-byte key. */
export class SecretBox {
  private readonly key: Buffer;

  /** @throws Error when the key is not 32 bytes */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("secret key must be 32 bytes (AES-256)");
    this.key = key;
  }

  /** Encrypts `plaintext`; every call gives a different ciphertext. */
  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  /**
   * Decrypts a value from {@link seal}; a value without the prefix is returned as it is (legacy
   * plaintext).
   * @throws Error when the value was sealed with another key or altered (GCM authentication fails)
   */
  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("sealed secret is truncated");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  }
}

/** Whether a stored value is sealed (as opposed to legacy plaintext). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

let box: SecretBox | null = null;

/** Sets the process's key (base64 of 32 bytes, SECRETS_KEY); null turns sealing off (tests of other parts). */
export function configureSecrets(keyBase64: string | null): void {
  box = keyBase64 === null ? null : new SecretBox(Buffer.from(keyBase64, "base64"));
}

/** Seals a secret with the process key (null stays null). Without a configured key, stores it as is. */
export function sealSecret(plaintext: string | null): string | null {
  if (plaintext === null) return null;
  return box ? box.seal(plaintext) : plaintext;
}

/**
 * Opens a stored secret (null stays null; legacy plaintext as is).
 * @throws Error for a sealed value when no key is configured, or the wrong one
 */
export function openSecret(stored: string | null): string | null {
  if (stored === null || !isSealed(stored)) return stored;
  if (!box) throw new Error("a sealed secret was read but no SECRETS_KEY is configured");
  return box.open(stored);
}
