-- Postmortem templates: each a Markdown outline, one `## Heading` per section with the
-- questions that help an author start it. A heading naming a standard section gives that
-- section its questions; any other heading is an extra section made (empty) with every
-- postmortem started from the template. Admins edit them; every save raises the version, so a
-- second admin saving from an older page is shown both versions.
CREATE TABLE postmortem_templates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(btrim(name)) > 0),
    description text NOT NULL DEFAULT '',
    body        text NOT NULL,
    position    integer NOT NULL DEFAULT 0,
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES users (id)
);
CREATE UNIQUE INDEX postmortem_templates_name_key ON postmortem_templates (lower(name));

-- What each severity asks for: the template its postmortems start from, and who publishes
-- them: `manager` (submitted, then approved by a manager) or `author` (published by the
-- author once complete). A template a rule names cannot be deleted (RESTRICT).
CREATE TABLE severity_rules (
    severity    text PRIMARY KEY CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5')),
    template_id bigint NOT NULL REFERENCES postmortem_templates (id) ON DELETE RESTRICT,
    review      text NOT NULL CHECK (review IN ('manager', 'author')),
    version     integer NOT NULL DEFAULT 1
);

-- The template a postmortem was started from (none for older and imported ones, which keep
-- today's rules), and its outline as it was then: later edits to the template, or its
-- deletion, do not change what a postmortem asks of its authors.
ALTER TABLE incidents
    ADD COLUMN template_id bigint REFERENCES postmortem_templates (id) ON DELETE SET NULL,
    ADD COLUMN template_outline jsonb;

-- An author publishing directly is a step of the review of its own.
ALTER TABLE review_comments DROP CONSTRAINT review_comments_kind_check;
ALTER TABLE review_comments ADD CONSTRAINT review_comments_kind_check
    CHECK (kind IN ('comment', 'submitted', 'changes_requested', 'approved', 'published'));

INSERT INTO postmortem_templates (name, description, position, body) VALUES
('Full', 'Every section, for incidents that hurt users or the business.', 1,
$md$## Summary

In three or four sentences: what broke, for how long, and how it ended?

## Impact

Who noticed, and what could they not do? Give numbers where you have them: users, requests, revenue, time.

## Timeline

When did it start, when did we know, and when was it over? Mark those entries (Impact started, Detected, Mitigated, Resolved): the start and end follow them.

## Root cause

What chain of events led here? Keep asking why until the answer is about a system or a process, not a person.

## Resolution

What stopped the bleeding, and what made it whole again? Was anything left half-fixed?

## Corrective measures

What will we change so that this cause cannot bring us down again?

## Preventative measures

What would catch this kind of failure earlier next time, whatever its cause?

## Lessons learned

What went well, what went badly, and where did we get lucky?

## Action items

Who does what, by when? Each item needs an owner and a due date.
$md$),
('Light', 'Four short sections, for minor incidents with little user impact.', 2,
$md$## Summary

What happened, in a sentence or two?

## Impact

Was anyone affected? If not, why not?

## Root cause

Why did it happen?

## Resolution

How was it fixed, and is anything left to do?
$md$),
('Security', 'The standard sections plus detection, data exposure and disclosure, for security incidents.', 3,
$md$## Summary

What happened, and is the attacker or the weakness still active?

## Detection

How did we find out: an alert, a report from outside, luck? How long was the weakness open before that?

## Impact

Which systems, accounts and customers were affected?

## Data exposure

What data could have been read, changed or taken, and can we tell what actually was?

## Timeline

When did the exposure start, when was it found, when was it contained?

## Root cause

Which weakness was used, and why was it there?

## Resolution

How was it contained, and were credentials, keys or tokens rotated?

## Disclosure and notification

Who must be told (customers, regulators, partners), by when, and who tells them?

## Corrective measures

What closes this weakness for good?

## Preventative measures

What would stop this class of attack, or shorten how long it goes unseen?

## Lessons learned

What did we learn about our defences and about how we responded?

## Action items

Who does what, by when?
$md$);

INSERT INTO severity_rules (severity, template_id, review)
SELECT s.severity, t.id, s.review
FROM (VALUES ('SEV1', 'Full', 'manager'), ('SEV2', 'Full', 'manager'), ('SEV3', 'Full', 'manager'),
             ('SEV4', 'Light', 'author'), ('SEV5', 'Light', 'author')) AS s (severity, template, review)
JOIN postmortem_templates t ON t.name = s.template;
