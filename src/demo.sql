-- Demo data for `hindsight demo --incidents N`, written in SQL so that 10,000 postmortems and
-- their 100,000 action items take seconds. N is read from the setting hindsight.demo_incidents.
-- Everything is made up and deterministic: the same N gives the same data, dated relative to
-- now. Numbers like (id * 37 + k * 11) % 100 stand in for randomness.

CREATE TEMPORARY TABLE demo_settings ON COMMIT DROP AS
SELECT current_setting('hindsight.demo_incidents')::int AS incidents,
       greatest(20, least(500, current_setting('hindsight.demo_incidents')::int / 20)) AS people;

INSERT INTO teams (name, time_zone)
SELECT (ARRAY['Payments', 'Search', 'Checkout', 'Identity', 'Storage', 'Network', 'Mobile', 'Data',
              'Billing', 'Platform'])[1 + (g - 1) % 10] || ' ' || (1 + (g - 1) / 10),
       (ARRAY['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland',
              'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata'])[1 + g % 8]
FROM generate_series(1, 50) g;

INSERT INTO users (email, name, role)
SELECT 'demo-' || g || '@example.com',
       (ARRAY['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger',
              'Radia'])[1 + g % 10] || ' ' ||
       (ARRAY['Okafor', 'Tanaka', 'Schmidt', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Lindqvist',
              'Moreau', 'Reyes', 'Nakamura'])[1 + g % 11] || ' ' || g,
       (ARRAY['engineer', 'engineer', 'engineer', 'manager', 'viewer'])[1 + g % 5]
FROM generate_series(1, (SELECT people FROM demo_settings)) g;

CREATE TEMPORARY TABLE demo_people ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM users WHERE email LIKE 'demo-%@example.com';
CREATE TEMPORARY TABLE demo_teams ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) AS n, id FROM teams;

INSERT INTO team_members (team_id, user_id)
SELECT t.id, p.id FROM demo_people p JOIN demo_teams t ON t.n = 1 + p.n % 50;

-- Postmortems spread over the last year, newest first; those older than a fortnight are
-- published, a few are in review, the rest drafts.
INSERT INTO incidents (title, severity, status, started_at, ended_at)
SELECT format('%s %s for %s minutes',
              (ARRAY['Checkout errors', 'Search latency', 'Login failures', 'Payment timeouts',
                     'Stale dashboards', 'Queue backlog', 'DNS resolution failures',
                     'Certificate expiry', 'Disk full on database primary', 'Cache stampede'])[1 + g % 10],
              (ARRAY['in eu-west', 'in us-east', 'for mobile users', 'for API clients', 'globally'])[1 + g % 5],
              10 + g % 170),
       (ARRAY['SEV1', 'SEV2', 'SEV2', 'SEV3', 'SEV3', 'SEV3', 'SEV4'])[1 + g % 7],
       CASE WHEN age > interval '14 days' THEN 'published' WHEN g % 3 = 0 THEN 'in_review' ELSE 'draft' END,
       date_trunc('minute', now() - age),
       date_trunc('minute', now() - age) + make_interval(mins => 10 + g % 170)
FROM (SELECT g, make_interval(secs => 365.0 * 86400 * g / (SELECT incidents FROM demo_settings)) AS age
      FROM generate_series(1, (SELECT incidents FROM demo_settings)) g) s;

CREATE TEMPORARY TABLE demo_incidents ON COMMIT DROP AS
SELECT id, started_at, severity FROM incidents;

-- Their sections' Markdown; the HTML is left for `hindsight demo` to render (it is stored as
-- never rendered, and rendered by the same code that renders after an upgrade).
INSERT INTO incident_texts (incident_id, section, body)
SELECT i.id, t.section, CASE t.section WHEN 'impact' THEN format(t.body, 1 + i.id % 60) ELSE t.body END
FROM demo_incidents i
CROSS JOIN (VALUES
    ('summary', 'Customers saw errors while a dependency was degraded. This is generated demo text.'),
    ('impact', 'About %s%% of requests failed.'),
    ('root_cause', 'A configuration change reached every region at once; the canary did not cover the failing path.'),
    ('resolution', 'Rolled the change back and drained the affected nodes.'),
    ('corrective_measures', '- Roll back automatically when the error rate doubles.'),
    ('preventative_measures', '- Stage configuration changes region by region.'),
    ('lessons_learned', 'Canaries must exercise the paths customers use most.')
) AS t (section, body);

INSERT INTO timeline_entries (incident_id, occurred_at, body)
SELECT i.id, i.started_at + make_interval(mins => k * 7),
       (ARRAY['Alert fired for elevated error rate.', 'On-call engineer acknowledged the page.',
              'Rolled back the configuration change; errors stopped.'])[k]
FROM demo_incidents i CROSS JOIN generate_series(1, 3) k;

-- Ten action items a postmortem, due by the default policy; the older the postmortem, the
-- more of its items are closed.
INSERT INTO action_items (incident_id, body, owner, owner_id, team_id, due_on, status, kind, priority,
                          wont_do_reason, completed_at, created_at)
SELECT i.id,
       (ARRAY['Add an alert on', 'Write a runbook for', 'Load test', 'Add a canary for',
              'Automate rollback of', 'Cap retries in', 'Add a dashboard for', 'Document the failover of',
              'Remove the single point of failure in', 'Review timeouts of'])[k] || ' ' ||
       (ARRAY['the checkout service', 'the search cluster', 'the session cache', 'the payment gateway',
              'the DNS resolvers', 'the job queue'])[1 + (i.id + k) % 6] || '.',
       '', p.id, t.id,
       (i.started_at + CASE i.severity WHEN 'SEV1' THEN interval '4 weeks' WHEN 'SEV2' THEN interval '8 weeks'
                                       ELSE interval '12 weeks' END)::date,
       status, (ARRAY['corrective', 'preventative', 'detective', 'mitigation'])[1 + k % 4],
       (ARRAY['P1', 'P2', 'P2', 'P3', 'P3', 'P4'])[1 + (i.id + k) % 6],
       CASE WHEN status = 'wont_do' THEN 'Superseded by the platform migration.' ELSE '' END,
       CASE WHEN status IN ('done', 'wont_do')
            THEN least(now(), i.started_at + make_interval(days => (2 + (i.id * 37 + k * 11) % 90)::int)) END,
       least(now(), i.started_at + interval '1 day')
FROM demo_incidents i
CROSS JOIN generate_series(1, 10) k
JOIN demo_people p ON p.n = 1 + (i.id * 7 + k * 13) % (SELECT people FROM demo_settings)
JOIN demo_teams t ON t.n = 1 + (i.id * 3 + k) % 50
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN now() - i.started_at > interval '90 days' THEN
            CASE WHEN (i.id * 37 + k * 11) % 100 < 70 THEN 'done'
                 WHEN (i.id * 37 + k * 11) % 100 < 75 THEN 'wont_do'
                 WHEN (i.id * 37 + k * 11) % 100 < 80 THEN 'in_progress' ELSE 'open' END
        ELSE
            CASE WHEN (i.id * 37 + k * 11) % 100 < 30 THEN 'done'
                 WHEN (i.id * 37 + k * 11) % 100 < 50 THEN 'in_progress' ELSE 'open' END
    END AS status
) s;

-- Items already overdue are not news: note them so the webhook worker reports only items
-- that become overdue from now on.
SELECT enqueue_overdue_events(now());

-- Fresh statistics, so the planner sees the new size at once.
ANALYZE;
