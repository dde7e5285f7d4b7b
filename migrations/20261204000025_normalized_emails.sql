-- Emails are stored, looked up and throttled in one normalised form (NFKC, lower-cased; see
-- domain::input::normalize_email): addresses stored before are brought to it. An address
-- whose normalised form another account already has is left as it was, for an admin to
-- resolve, rather than failing the migration (two such accounts were already one person's
-- spellings, or a look-alike).
UPDATE users u
SET email = normalize(lower(normalize(u.email, NFKC)), NFKC)
WHERE u.email IS DISTINCT FROM normalize(lower(normalize(u.email, NFKC)), NFKC)
  AND length(normalize(lower(normalize(u.email, NFKC)), NFKC)) <= 254
  AND NOT EXISTS (
      SELECT 1 FROM users o
      WHERE o.id <> u.id
        AND normalize(lower(normalize(o.email, NFKC)), NFKC) = normalize(lower(normalize(u.email, NFKC)), NFKC)
  );
