-- "Is this contract renewed?" is asked per tenant by the portfolio query (NOT EXISTS on
-- renews_contract_id): without an index it scanned crm_contracts once per tenant, 180 ms of the
-- 1,000-tenant portfolio page in `pnpm bench:analytics`.
CREATE INDEX "crm_contracts_renews_contract_id_idx" ON "crm_contracts"("renews_contract_id");
