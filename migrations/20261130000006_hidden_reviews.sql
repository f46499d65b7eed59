-- A review the critic took off the blog without telling the fediverse to delete it ("hide"):
-- servers keep their copy, and its return is an `Update` of the same id.
ALTER TABLE reviews ADD COLUMN fediverse_hidden boolean NOT NULL DEFAULT false;
