ALTER TABLE "interviews" ADD COLUMN "analysis_output" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part01" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part02" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part03" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part04" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part05" text;--> statement-breakpoint
ALTER TABLE "interviews" ADD COLUMN "analysis_part06" text;