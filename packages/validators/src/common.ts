import { z } from "zod";

/** A UUID (the key type of every Fleetcore table). */
export const ZId = z.uuid();

/** Cursor pagination input: `limit` rows (1–200, default 50) after the row with id `cursor`. */
export const ZPageRequest = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  cursor: ZId.optional(),
});
export type PageRequest = z.infer<typeof ZPageRequest>;
