-- A subscription keeps the prices it was sold at: a plan's price change makes a new plan version
-- (new Stripe Prices) and existing subscriptions stay on theirs, so the billing page and the usage
-- projection read these columns (filled by the subscription webhooks) before the plan's current prices.
ALTER TABLE "bil_tenant_subscriptions" ADD COLUMN     "base_amount_minor" INTEGER,
ADD COLUMN     "overage_unit_amount_decimal" TEXT;

ALTER TABLE "bil_tenant_subscriptions"
  ADD CONSTRAINT "bil_tenant_subscriptions_base_amount_minor_check" CHECK ("base_amount_minor" >= 0),
  ADD CONSTRAINT "bil_tenant_subscriptions_overage_unit_amount_decimal_check"
    CHECK ("overage_unit_amount_decimal" ~ '^[0-9]+(\.[0-9]{1,12})?$');
