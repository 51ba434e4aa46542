-- CreateTable
CREATE TABLE "ImportContact" (
    "importId" UUID NOT NULL,
    "contactId" UUID NOT NULL,
    "tenantId" UUID NOT NULL,

    CONSTRAINT "ImportContact_pkey" PRIMARY KEY ("importId","contactId")
);

-- CreateIndex
CREATE INDEX "ImportContact_tenantId_idx" ON "ImportContact"("tenantId");

-- AddForeignKey
ALTER TABLE "ImportContact" ADD CONSTRAINT "ImportContact_importId_fkey" FOREIGN KEY ("importId") REFERENCES "ImportJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImportContact" ADD CONSTRAINT "ImportContact_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
