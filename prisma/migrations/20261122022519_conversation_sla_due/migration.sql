-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "slaDueAt" TIMESTAMP(3),
ADD COLUMN     "slaMetric" TEXT;

-- CreateIndex
CREATE INDEX "Conversation_tenantId_slaDueAt_idx" ON "Conversation"("tenantId", "slaDueAt");
