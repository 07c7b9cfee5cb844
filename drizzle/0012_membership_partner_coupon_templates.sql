CREATE TABLE "membership_partner_coupon_templates" (
	"merchant_id" text NOT NULL,
	"template_id" text NOT NULL,
	"enabled_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_partner_coupon_templates_merchant_id_template_id_pk" PRIMARY KEY("merchant_id","template_id")
);
