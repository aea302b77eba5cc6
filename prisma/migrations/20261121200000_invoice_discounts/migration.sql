-- Promotion codes (Stripe coupons) entered at Checkout: each invoice keeps what they took off.
ALTER TABLE "bil_tenant_invoices" ADD COLUMN     "discount_minor" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "bil_tenant_invoices"
  ADD CONSTRAINT "bil_tenant_invoices_discount_minor_check" CHECK ("discount_minor" >= 0);
