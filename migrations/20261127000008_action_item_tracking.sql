-- Action items tracked to completion: kind, priority, status (with a reason for "won't do"),
-- a team, a ticket link and a completion note, and a version for concurrent edits.
-- Teams get the time zone their due dates are read in ("overdue" means the due date has
-- passed there).

ALTER TABLE teams ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

ALTER TABLE action_items
    ADD COLUMN kind text CHECK (kind IN ('corrective', 'preventative', 'detective', 'mitigation')),
    ADD COLUMN priority text CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    ADD COLUMN status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'wont_do')),
    ADD COLUMN wont_do_reason text NOT NULL DEFAULT '',
    ADD COLUMN team_id bigint REFERENCES teams (id) ON DELETE SET NULL,
    ADD COLUMN ticket_url text NOT NULL DEFAULT '',
    ADD COLUMN completion_note text NOT NULL DEFAULT '',
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

UPDATE action_items SET status = 'done' WHERE completed_at IS NOT NULL;

-- `completed_at` is when the item was closed: done, or decided against.
ALTER TABLE action_items
    ADD CONSTRAINT action_items_closed_when CHECK ((status IN ('done', 'wont_do')) = (completed_at IS NOT NULL)),
    ADD CONSTRAINT action_items_wont_do_reason CHECK (status <> 'wont_do' OR btrim(wont_do_reason) <> '');

CREATE INDEX action_items_team_idx ON action_items (team_id) WHERE team_id IS NOT NULL;
