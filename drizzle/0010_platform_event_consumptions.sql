CREATE TABLE "platform_event_consumptions" (
	"merchant_id" text NOT NULL,
	"event_id" text NOT NULL,
	"subscriber" text NOT NULL,
	"event_type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_event_consumptions_merchant_id_event_id_subscriber_pk" PRIMARY KEY("merchant_id","event_id","subscriber")
);
--> statement-breakpoint
CREATE INDEX "platform_event_consumptions_due_idx" ON "platform_event_consumptions" USING btree ("next_attempt_at") WHERE "platform_event_consumptions"."status" = 'pending';