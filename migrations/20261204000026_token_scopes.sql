-- What a token may be used for: `api` (the JSON API, and feeds) or `feeds` (calendars and the
-- Atom feed only, which read). A calendar service keeps the feed's address, token and all, on
-- its own servers: a token made for it should not also be able to write.
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'api' CHECK (scope IN ('api', 'feeds'));
