/**
 * @fleetcore/core — domain services. Pure where possible; never imports tRPC, React or Socket.IO.
 */
export * from "./errors";
export * from "./fleet/vehicles";
export * from "./identity/passwords";
export * from "./tenancy/tenants";
