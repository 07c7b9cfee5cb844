ALTER TABLE "payments_orders" ADD COLUMN "purpose_module" text;--> statement-breakpoint
ALTER TABLE "payments_orders" ADD COLUMN "purpose_kind" text;--> statement-breakpoint
ALTER TABLE "payments_orders" ADD COLUMN "purpose_reference" text;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_orders_purpose_live_uq" ON "payments_orders" USING btree ("merchant_id","purpose_module","purpose_kind","purpose_reference") WHERE "payments_orders"."purpose_module" is not null and "payments_orders"."status" in ('created', 'paying', 'succeeded');