-- Written by hand (Prisma's datamodel has no triggers): every statement that updates or deletes
-- contacts announces their ids on NOTIFY channel `switchboard_contact`, so API processes can drop
-- them from their read caches whichever process wrote them. One notice per statement: up to 200
-- ids, comma-separated (a NOTIFY payload holds under 8000 bytes), or `*` for a bigger statement.
CREATE FUNCTION switchboard_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n integer;
  ids text;
BEGIN
  SELECT count(*), string_agg(id::text, ',') INTO n, ids FROM (SELECT id FROM old_rows LIMIT 201) AS changed;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('switchboard_contact', CASE WHEN n > 200 THEN '*' ELSE ids END);
  RETURN NULL;
END
$$;

CREATE TRIGGER "Contact_updated_notify" AFTER UPDATE ON "Contact"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION switchboard_contact_changed();

CREATE TRIGGER "Contact_deleted_notify" AFTER DELETE ON "Contact"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION switchboard_contact_changed();
