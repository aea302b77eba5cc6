/**
 * Secret tokens (sessions, password resets, invitations, display tokens), as lucia-auth.com
 * "Sessions" describes: 20 random bytes (160 bits of entropy, above the 120-bit minimum) encoded as
 * lower-case base32 without padding (32 characters); only the SHA-256 of a token, hex-encoded, is
 * stored, so a copied table row cannot be replayed as a token.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

const TOKEN_BYTES = 20;

/** A new random token (32 base32 characters) from the platform CSPRNG. */
export function generateToken(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** Lower-case hex SHA-256 of a token (64 characters): the value stored in the database. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}
