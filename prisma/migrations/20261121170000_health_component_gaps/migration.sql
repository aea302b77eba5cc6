-- A health component with no data is left out of the score; its column now says so (null) instead
-- of holding a neutral 50 that history charts and the explorer drew as a real value.
ALTER TABLE "adm_tenant_health_scores" ALTER COLUMN "product_usage_score" DROP NOT NULL,
ALTER COLUMN "support_score" DROP NOT NULL,
ALTER COLUMN "engagement_score" DROP NOT NULL,
ALTER COLUMN "business_score" DROP NOT NULL;
