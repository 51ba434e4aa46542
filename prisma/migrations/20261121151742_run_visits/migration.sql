-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "visits" JSONB;
