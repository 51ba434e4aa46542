-- Written by hand (Prisma's datamodel has no partial indexes): the recipients a dispatch may
-- claim, in the order it claims them. Without it each slice walks the campaign's whole seq index
-- past every recipient already started: 53 ms per slice with 60k of 100k started, and more as
-- updates leave dead entries behind. Only pending and deferred rows are in it, so it shrinks as
-- the campaign goes.
CREATE INDEX "CampaignRecipient_due_idx" ON "CampaignRecipient" ("campaignId", seq)
  WHERE status IN ('pending', 'deferred');
