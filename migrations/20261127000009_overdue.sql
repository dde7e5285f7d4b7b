-- The one definition of "overdue": an action item still open (or in progress) whose due date
-- has passed in its team's time zone (UTC for an item without a team). Every page, feed,
-- webhook and export asks this function, or `domain::is_overdue`, which a test holds to the
-- same answers.
CREATE FUNCTION action_item_overdue(status text, due_on date, time_zone text, at timestamptz)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT status IN ('open', 'in_progress') AND due_on IS NOT NULL
       AND due_on < (at AT TIME ZONE coalesce(time_zone, 'UTC'))::date
$$;

-- The ledger lists open items by due date, and filters by status.
CREATE INDEX action_items_status_due_idx ON action_items (status, due_on, id);
