-- AlterTable
ALTER TABLE "SlaRecord" ADD COLUMN     "elapsedSeconds" INTEGER;
