-- The ledger reads a page of items in the order it shows them, from an index, rather than
-- sorting every match: its cost stays the same however many items there are. The partial
-- indexes serve the default view (items not closed), whose condition the ledger query writes
-- out literally so that PostgreSQL can use them.
CREATE INDEX action_items_unfinished_due_idx ON action_items (due_on, id)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX action_items_unfinished_team_due_idx ON action_items (team_id, due_on, id)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX action_items_unfinished_owner_due_idx ON action_items (owner_id, due_on, id)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX action_items_unfinished_priority_idx ON action_items (priority, due_on, id)
    WHERE status IN ('open', 'in_progress');
CREATE INDEX action_items_due_idx ON action_items (due_on, id);
CREATE INDEX action_items_created_idx ON action_items (created_at DESC, id DESC);
