-- The search documents newest first: a search for words that most postmortems hold walks this
-- index and stops at its window's 1,000th match, instead of reading every document the GIN
-- index returns (all of them, for a word every postmortem holds) to keep the newest 1,000. The
-- planner chooses between the two by how many documents its statistics say hold the words.
CREATE INDEX search_documents_recent_idx ON search_documents (started_at DESC, incident_id DESC);
