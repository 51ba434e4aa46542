-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "teams" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Escalation" ADD COLUMN     "acknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "acknowledgedBy" UUID,
ADD COLUMN     "assigneeId" UUID,
ADD COLUMN     "conversationId" UUID,
ADD COLUMN     "level" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "outcome" TEXT,
ADD COLUMN     "policyId" UUID,
ADD COLUMN     "resolutionNote" TEXT,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'handoff';

-- CreateTable
CREATE TABLE "OnCallShift" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "team" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OnCallShift_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EscalationPolicy" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EscalationPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EscalationEvent" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "escalationId" UUID NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "level" INTEGER,
    "actorUserId" UUID,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EscalationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OnCallShift_tenantId_team_startsAt_idx" ON "OnCallShift"("tenantId", "team", "startsAt");

-- CreateIndex
CREATE UNIQUE INDEX "EscalationPolicy_tenantId_name_key" ON "EscalationPolicy"("tenantId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "EscalationEvent_idempotencyKey_key" ON "EscalationEvent"("idempotencyKey");

-- CreateIndex
CREATE INDEX "EscalationEvent_escalationId_at_idx" ON "EscalationEvent"("escalationId", "at");

-- CreateIndex
CREATE INDEX "Escalation_tenantId_assigneeId_status_idx" ON "Escalation"("tenantId", "assigneeId", "status");

-- CreateIndex
CREATE INDEX "Escalation_tenantId_team_status_idx" ON "Escalation"("tenantId", "team", "status");

-- AddForeignKey
ALTER TABLE "OnCallShift" ADD CONSTRAINT "OnCallShift_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Escalation" ADD CONSTRAINT "Escalation_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "EscalationPolicy"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EscalationPolicy" ADD CONSTRAINT "EscalationPolicy_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EscalationEvent" ADD CONSTRAINT "EscalationEvent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EscalationEvent" ADD CONSTRAINT "EscalationEvent_escalationId_fkey" FOREIGN KEY ("escalationId") REFERENCES "Escalation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
