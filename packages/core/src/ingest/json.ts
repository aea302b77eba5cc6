/**
 * Small readers for untrusted JSON bodies shared by the ingest decoders (osmand.ts, traccar.ts):
 * each returns the field or null when absent, and throws a DecodeError naming the field's path when
 * it has the wrong type.
 */
import { DecodeError } from "./types";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `obj[key]` as an object, or null when absent/null. */
export function optObject(obj: JsonObject, key: string, path: string): JsonObject | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new DecodeError(`${path} must be an object`);
  return v;
}

/** `obj[key]` as a finite number, or null when absent/null. */
export function optNumber(obj: JsonObject, key: string, path: string): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new DecodeError(`${path} must be a number`);
  return v;
}

/** `obj[key]` as a string, or null when absent/null. */
export function optString(obj: JsonObject, key: string, path: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new DecodeError(`${path} must be a string`);
  return v;
}

/** `obj[key]` as a boolean, or null when absent/null. */
export function optBoolean(obj: JsonObject, key: string, path: string): boolean | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "boolean") throw new DecodeError(`${path} must be a boolean`);
  return v;
}

/** Sets an attribute as an own property, so a key like `__proto__` is data, never a prototype change. */
export function setAttribute(attributes: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
}
