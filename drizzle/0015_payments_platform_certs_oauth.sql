CREATE TABLE "payments_wechatpay_platform_certificates" (
	"merchant_id" text NOT NULL,
	"channel_account_id" text NOT NULL,
	"serial_no" text NOT NULL,
	"certificate" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_wechatpay_platform_certs_pk" PRIMARY KEY("merchant_id","channel_account_id","serial_no")
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_oauth_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"app_id" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"scope" text NOT NULL,
	"buyer" text NOT NULL,
	"open_id" text NOT NULL,
	"user_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments_sandbox_merchants" ADD COLUMN "sealed_app_secret" text;--> statement-breakpoint
CREATE INDEX "payments_sandbox_oauth_codes_payer_idx" ON "payments_sandbox_oauth_codes" USING btree ("channel","open_id");--> statement-breakpoint
CREATE INDEX "payments_sandbox_oauth_codes_user_idx" ON "payments_sandbox_oauth_codes" USING btree ("channel","user_id");