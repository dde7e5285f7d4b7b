-- Learning across postmortems: the services an incident affected (a managed list), free tags,
-- contributing factors from a managed taxonomy, confirmed recurrences ("this happened before")
-- and action items verified by someone other than their owner.

-- A service or component. Authors add one by naming it; admins rename and merge. A merged
-- service keeps its row, pointing at the one it was merged into, so every link to it still
-- leads somewhere.
CREATE TABLE services (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100 AND name !~ '[[:cntrl:]]'),
    merged_into bigint REFERENCES services (id),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (merged_into IS DISTINCT FROM id)
);
-- Names are unique among the services still in use, whatever their case.
CREATE UNIQUE INDEX services_name_key ON services (lower(name)) WHERE merged_into IS NULL;

CREATE TABLE incident_services (
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    service_id  bigint NOT NULL REFERENCES services (id),
    PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_services_service_idx ON incident_services (service_id, incident_id);

-- Free tags, kept as first written; one postmortem has a tag once, whatever its case.
CREATE TABLE incident_tags (
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    tag         text NOT NULL CHECK (length(btrim(tag)) BETWEEN 1 AND 60 AND tag !~ '[[:cntrl:],]'),
    PRIMARY KEY (incident_id, tag)
);
CREATE UNIQUE INDEX incident_tags_one_each ON incident_tags (incident_id, lower(tag));
CREATE INDEX incident_tags_tag_idx ON incident_tags (lower(tag), incident_id);

-- The taxonomy of contributing factors. Admins add, rename and retire kinds; a retired kind
-- stays on the postmortems that name it but is no longer offered.
CREATE TABLE factor_kinds (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60 AND name !~ '[[:cntrl:]]'),
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    retired     boolean NOT NULL DEFAULT false,
    version     integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX factor_kinds_name_key ON factor_kinds (lower(name));

INSERT INTO factor_kinds (name, description, position) VALUES
    ('Change', 'A deploy, migration or configuration push started or worsened it.', 1),
    ('Capacity', 'Load outgrew what a part could serve: CPU, memory, disk, connections, quotas.', 2),
    ('Dependency', 'A service, vendor or library it relies on failed or behaved unexpectedly.', 3),
    ('Configuration', 'A setting was wrong, missing, or differed between environments.', 4),
    ('Monitoring gap', 'Nothing alerted, or alerted late, or the signal was lost in noise.', 5),
    ('Process', 'A runbook, review, hand-off or escalation path was missing or not followed as written.', 6),
    ('Production pressure', 'Deadlines, staffing or competing priorities shaped the decisions made.', 7),
    ('Automation surprise', 'Automation did something its operators did not expect, or hid what it was doing.', 8),
    ('Software defect', 'A bug in our own code.', 9),
    ('Knowledge gap', 'Those responding lacked context, documentation or training for this part.', 10);

-- A contributing factor of one postmortem, with a sentence saying how it contributed.
CREATE TABLE incident_factors (
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    factor_id   bigint NOT NULL REFERENCES factor_kinds (id),
    explanation text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, factor_id)
);
CREATE INDEX incident_factors_factor_idx ON incident_factors (factor_id, incident_id);

-- "This happened before": an author confirmed that `incident_id` repeats `earlier_id`.
CREATE TABLE incident_recurrences (
    incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    earlier_id   bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    confirmed_by bigint REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, earlier_id),
    CHECK (incident_id <> earlier_id)
);
CREATE INDEX incident_recurrences_earlier_idx ON incident_recurrences (earlier_id);

-- A done action item of the earlier postmortem that was meant to prevent exactly what recurred:
-- flagged "recurred" in the ledger and on its team's page.
CREATE TABLE action_item_recurrences (
    action_item_id bigint NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    incident_id    bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_item_id, incident_id)
);
CREATE INDEX action_item_recurrences_incident_idx ON action_item_recurrences (incident_id);

-- Verified: beyond done, someone other than the owner checked that it works, with a note or
-- a link as evidence. Only a done item can be verified.
ALTER TABLE action_items
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN verified_by bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN verification_evidence text NOT NULL DEFAULT '',
    ADD CONSTRAINT action_items_verified_when_done CHECK (verified_at IS NULL OR status = 'done'),
    ADD CONSTRAINT action_items_verified_with_evidence CHECK (verified_at IS NULL OR btrim(verification_evidence) <> '');
