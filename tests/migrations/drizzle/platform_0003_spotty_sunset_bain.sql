ALTER TABLE "profiles" ADD COLUMN "agent_interviewer_name" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "voice_id" text;