/**
 * Password hashing with argon2id (RFC 9106) through @node-rs/argon2 (a maintained native binding).
 *
 * Cost: m = 19 MiB (19456 KiB), t = 2 iterations, p = 1 — the OWASP Password Storage Cheat Sheet's
 * first recommended argon2id configuration; about 20–40 ms per hash on this project's 2-core machines.
 * The PHC string stores the parameters, so raising them later keeps old hashes verifiable.
 */
import { type Algorithm, hash, verify } from "@node-rs/argon2";

/** `Algorithm.Argon2id`: a const enum, which isolated-module builds cannot read at run time. */
const ARGON2ID: Algorithm.Argon2id = 2;

export const ARGON2ID_PARAMS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes a password; returns a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMS);
}

/** True when `password` matches the PHC string `passwordHash`; false (never throws) on a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
