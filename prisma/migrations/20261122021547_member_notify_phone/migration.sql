-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "notifyPhone" TEXT;
