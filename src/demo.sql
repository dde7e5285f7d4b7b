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

-- Word lists, so that titles, summaries, causes and timelines vary the way real ones do: a few
-- services and symptoms come up often, most rarely (a skewed pick, `pg_temp.skewed`), and a
-- two-word search finds result sets of many sizes, as it would in a real archive.
CREATE TEMPORARY TABLE demo_words ON COMMIT DROP AS
SELECT ARRAY['checkout service', 'search cluster', 'session cache', 'payment gateway', 'DNS resolvers',
             'job queue', 'API gateway', 'auth service', 'image pipeline', 'notification service',
             'billing database', 'CDN', 'Kafka cluster', 'Redis cluster', 'Postgres primary',
             'load balancer', 'feature-flag service', 'mobile backend', 'reporting warehouse',
             'email relay', 'inventory service', 'pricing engine', 'recommendation service', 'fraud scoring',
             'ledger service', 'shipping tracker', 'identity provider', 'object storage', 'metrics pipeline',
             'log ingestion', 'config service', 'secrets vault', 'build farm', 'deploy pipeline',
             'container registry', 'service mesh', 'rate limiter', 'websocket gateway', 'video transcoder',
             'thumbnail service', 'geo lookup', 'tax calculator', 'invoice generator', 'webhook dispatcher',
             'SMS provider', 'push notification relay', 'cron scheduler', 'ETL jobs', 'data lake',
             'ML feature store', 'experiment service', 'GraphQL layer', 'admin console', 'partner API',
             'loyalty points service', 'cart service', 'order service', 'returns portal',
             'customer profile store', 'audit log service'] AS services,
       ARRAY['elevated error rates', 'latency spike', 'outage', 'degraded performance',
             'intermittent timeouts', 'delayed data', 'partial outage', 'failed deployments',
             'memory exhaustion', 'connection pool exhaustion', 'certificate expiry', 'disk full',
             'stale reads', 'duplicate charges', 'lost messages', '5xx errors', 'slow page loads',
             'login failures', 'stuck jobs', 'dropped connections', 'OOM kills', 'replication lag',
             'thundering herd', 'wrong prices shown'] AS symptoms,
       ARRAY['in eu-west', 'in us-east', 'for mobile users', 'for API clients', 'globally',
             'in ap-southeast', 'for enterprise tenants', 'in eu-central', 'for new sign-ups',
             'in one availability zone', 'for Android users', 'for batch jobs'] AS places,
       ARRAY['a configuration change', 'an expired TLS certificate', 'a runaway cron job',
             'a schema migration that locked a hot table', 'a dependency upgrade', 'a retry storm',
             'a noisy neighbour on shared hosts', 'an exhausted connection pool', 'a full disk',
             'a DNS misconfiguration', 'leaked file descriptors', 'clock skew between nodes',
             'a feature flag turned on for everyone', 'a traffic peak beyond capacity',
             'a missing database index', 'a failed leader election', 'a bad deploy of the sidecar',
             'an expired API key for a vendor', 'a kernel upgrade', 'an unbounded query',
             'a cache stampede after a flush', 'a partition imbalance', 'a misrouted BGP announcement',
             'a quota limit at the cloud provider', 'a garbage-collection pause', 'a race in the lock manager',
             'an off-by-one in pagination', 'a vendor outage', 'a malformed message that crashed consumers',
             'thread pool starvation', 'an orphaned lock after failover', 'a mistyped IP allow list',
             'a time-zone bug at midnight UTC', 'a log volume spike', 'a stuck autoscaler',
             'a stale DNS cache', 'an integer overflow in a counter', 'a half-finished migration',
             'a circular dependency at startup', 'a certificate chain missing an intermediate'] AS causes,
       ARRAY['The change had passed review and staging.', 'It began during the busiest hour of the week.',
             'Two teams were paged before the owner was found.', 'The status page lagged the incident by twenty minutes.',
             'A similar alert had fired and auto-resolved the week before.', 'Support saw the first tickets before any alert.',
             'The on-call engineer was new to this system.', 'The failover worked but took longer than its runbook said.',
             'Rolling back needed a manual step nobody had practised.', 'Nightly batch jobs made the load worse.',
             'Dashboards showed green while requests were failing.', 'The vendor confirmed the problem an hour later.',
             'A retry loop in one client made up most of the traffic.', 'The fix was ready quickly; deploying it was slow.',
             'Only one region was affected, thanks to the cell layout.', 'Capacity planning had flagged the risk last quarter.',
             'The blast radius was limited by the feature flag.', 'Data was repaired from the audit log afterwards.',
             'No data was lost, but some writes were delayed.', 'Some customers were charged twice and were refunded.'] AS contexts,
       ARRAY['Alert fired for elevated error rate on %s.', 'Customer support reported failures with the %s.',
             'Synthetic checks against the %s started failing.', 'Latency SLO burn alert for the %s.',
             'A developer noticed errors from the %s in the logs.', 'The %s health check flapped in two zones.',
             'Pager for the %s: saturation above 95%%.', 'A partner emailed that the %s returned errors.',
             'Queue depth alarm for the %s.', 'Canary analysis failed for the %s release.'] AS detections,
       ARRAY['On-call engineer acknowledged the page and opened an incident channel.',
             'Escalated to the owning team; incident commander assigned.',
             'Declared a major incident and posted on the status page.',
             'Paged the database on-call for a second opinion.', 'Pulled in the network team to check the edge.',
             'Support lead joined to coordinate customer updates.', 'Froze deploys across the organisation.',
             'Opened a ticket with the cloud provider.'] AS escalations,
       ARRAY['Traced the errors to the %s; graphs show a step change at the last deploy.',
             'Found thread dumps on the %s full of blocked workers.', 'Compared configs of the %s across regions.',
             'Heap profile of the %s shows a cache that never evicts.', 'Slow-query log on the %s points at one report.',
             'Packet captures near the %s show resets from the proxy.', 'The %s could not reach its secrets store.',
             'Disk usage on the %s nodes climbing 2%% a minute.'] AS investigations,
       ARRAY['Rolled back the last deploy of the %s; errors dropped.', 'Failed over the %s to the standby.',
             'Scaled out the %s and shed low-priority traffic.', 'Disabled the feature flag; the %s recovered.',
             'Restarted the %s pods one zone at a time.', 'Renewed the certificate and reloaded the %s.',
             'Drained the bad node from the %s pool.', 'Raised the quota for the %s with the provider.',
             'Paused the batch jobs hitting the %s.', 'Pointed the %s at the secondary DNS resolvers.'] AS mitigations,
       ARRAY['Error rates back to baseline; monitoring for an hour.', 'Backlog drained; incident resolved.',
             'All regions healthy; status page updated to resolved.', 'Confirmed recovery with customers.',
             'Replication caught up; read traffic moved back.', 'Queues empty; delayed messages delivered.'] AS resolutions,
       ARRAY['Add an alert on', 'Write a runbook for', 'Load test', 'Add a canary for', 'Automate rollback of',
             'Cap retries in', 'Add a dashboard for', 'Document the failover of', 'Remove the single point of failure in',
             'Review timeouts of', 'Add circuit breakers to', 'Rate-limit clients of', 'Shard', 'Set memory limits on',
             'Add synthetic checks for', 'Rehearse a restore of', 'Pin dependency versions in', 'Move secrets out of',
             'Add backpressure to', 'Split the deploy of', 'Add chaos tests for', 'Define an SLO for',
             'Track saturation of', 'Expire old data in', 'Tune connection pools of', 'Add health checks to',
             'Batch writes in', 'Rotate credentials of', 'Stage config changes for', 'Audit permissions of'] AS actions;

-- A number in [0, 1) from a seed, the same for the same seed; and a place in a list of n that
-- favours the first ones (the first of 60 comes up about 13% of the time, the last 0.8%).
CREATE FUNCTION pg_temp.unit(seed bigint) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT (abs(hashint8(seed)::bigint) % 1000003)::float8 / 1000003 $$;
CREATE FUNCTION pg_temp.skewed(seed bigint, n integer) RETURNS integer LANGUAGE sql IMMUTABLE AS
$$ SELECT 1 + floor(n * pg_temp.unit(seed) ^ 2)::integer $$;

-- Postmortems spread over the last year, newest first; those older than a fortnight are
-- published, a few are in review, the rest drafts.
INSERT INTO incidents (title, severity, status, started_at, ended_at)
SELECT format('%s %s %s', upper(left(w.services[pg_temp.skewed(g, 60)], 1)) || substr(w.services[pg_temp.skewed(g, 60)], 2), w.symptoms[pg_temp.skewed(g * 31 + 1, 24)],
              w.places[1 + (g * 13) % 12]),
       (ARRAY['SEV1', 'SEV2', 'SEV2', 'SEV3', 'SEV3', 'SEV3', 'SEV4'])[1 + g % 7],
       CASE WHEN age > interval '14 days' THEN 'published' WHEN g % 3 = 0 THEN 'in_review' ELSE 'draft' END,
       date_trunc('minute', now() - age),
       date_trunc('minute', now() - age) + make_interval(mins => 10 + g % 170)
FROM demo_words w,
     (SELECT g, make_interval(secs => 365.0 * 86400 * g / (SELECT incidents FROM demo_settings)) AS age
      FROM generate_series(1, (SELECT incidents FROM demo_settings)) g) s;

CREATE TEMPORARY TABLE demo_incidents ON COMMIT DROP AS
SELECT id, started_at, severity, n,
       pg_temp.skewed(n, 60) AS service, pg_temp.skewed(n * 31 + 1, 24) AS symptom, pg_temp.skewed(n * 17 + 2, 40) AS cause
FROM (SELECT id, started_at, severity, row_number() OVER (ORDER BY id) AS n FROM incidents) i;

-- Their sections' Markdown; the HTML is left for `hindsight demo` to render (it is stored as
-- never rendered, and rendered by the same code that renders after an upgrade). One in fifty
-- is written in German or Spanish, as some teams write.
INSERT INTO incident_texts (incident_id, section, body)
SELECT i.id, t.section, t.body
FROM demo_incidents i
CROSS JOIN demo_words w
CROSS JOIN LATERAL (SELECT w.services[i.service] AS service, w.symptoms[i.symptom] AS symptom,
                           w.causes[i.cause] AS cause, 10 + i.n % 170 AS minutes,
                           w.contexts[pg_temp.skewed(i.n * 7 + 3, 20)] AS context) x
CROSS JOIN LATERAL (VALUES
    ('summary', CASE i.n % 50
        WHEN 0 THEN format('Die Kunden sahen Fehler beim %s; die Datenbankverbindung wurde %s Minuten lang abgebrochen.', x.service, x.minutes)
        WHEN 25 THEN format('Los clientes vieron errores en %s durante %s minutos; la base de datos no respondía.', x.service, x.minutes)
        ELSE format('Customers of the %s saw %s for %s minutes after %s. %s', x.service, x.symptom, x.minutes, x.cause, x.context) END),
    ('impact', format('About %s%% of requests to the %s failed; %s customers opened tickets.', 1 + i.n % 60, x.service, 3 + (i.n * 17) % 400)),
    ('root_cause', format('%s reached the %s. %s', initcap(x.cause), x.service,
        (ARRAY['The canary did not cover the failing path.', 'Nothing alerted until customers noticed.',
               'The runbook was out of date.', 'Retries amplified the load tenfold.',
               'The change had been reviewed, but its blast radius was not.'])[1 + (i.n * 3) % 5])),
    ('resolution', format((w.mitigations[1 + (i.n * 7) % 10]), x.service)),
    ('corrective_measures', format('- Alert on %s of the %s before customers notice.', x.symptom, x.service)),
    ('preventative_measures', format('- Guard against %s: stage changes region by region.', x.cause)),
    ('lessons_learned', (ARRAY['Canaries must exercise the paths customers use most.',
                               'Dashboards nobody looks at do not detect anything.',
                               'Small, reversible changes are cheaper to undo.',
                               'Load tests must include the retry behaviour of clients.'])[1 + i.n % 4])
) AS t (section, body);

INSERT INTO timeline_entries (incident_id, occurred_at, body)
SELECT i.id, i.started_at + make_interval(mins => k * 7),
       CASE WHEN k = 1 THEN format(w.detections[pg_temp.skewed(i.n * 5 + 4, 10)], w.services[i.service])
            WHEN k = 2 THEN w.escalations[pg_temp.skewed(i.n * 3 + 5, 8)]
            WHEN k = 4 + i.n % 4 - 1 THEN format(w.mitigations[1 + (i.n * 7) % 10], w.services[i.service])
            WHEN k = 4 + i.n % 4 THEN w.resolutions[1 + (i.n * 5) % 6]
            ELSE format(w.investigations[1 + (i.n + k * 3) % 8], w.services[i.service]) END
FROM demo_incidents i CROSS JOIN demo_words w CROSS JOIN LATERAL generate_series(1, (4 + i.n % 4)::integer) k;

-- Ten action items a postmortem, due by the default policy; the older the postmortem, the
-- more of its items are closed.
INSERT INTO action_items (incident_id, body, owner, owner_id, team_id, due_on, status, kind, priority,
                          wont_do_reason, completed_at, created_at)
SELECT i.id,
       w.actions[1 + (i.n * 7 + k * 11) % 30] || ' the ' ||
       w.services[CASE WHEN pg_temp.unit(i.n * 10 + k) < 0.7 THEN i.service ELSE pg_temp.skewed(i.n * 10 + k, 60) END] || '.',
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
CROSS JOIN demo_words w
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

-- Services: the one in the title, and up to two more it depends on, picked with a power law
-- (a few shared components such as the Postgres primary or the load balancer appear in many
-- postmortems, most in few), as in real incident histories.
CREATE TEMPORARY TABLE demo_services ON COMMIT DROP AS
SELECT n, upper(left(name, 1)) || substr(name, 2) AS name
FROM unnest((SELECT services FROM demo_words) ||
            ARRAY['Postgres replica', 'Kubernetes control plane', 'CI pipeline', 'secrets manager',
                  'log shipping', 'web frontend', 'iOS app', 'Android app', 'search indexer',
                  'VPN gateway', 'status page']) WITH ORDINALITY AS s (name, n);
-- The order of popularity the power law picks from: shared components first.
CREATE TEMPORARY TABLE demo_popular ON COMMIT DROP AS
SELECT n, rank
FROM unnest(ARRAY[15, 16, 13, 14, 3, 7, 5, 8, 1, 2, 4, 6, 9, 10, 11, 12, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36]) WITH ORDINALITY AS p (n, rank);
INSERT INTO services (name) SELECT name FROM demo_services ORDER BY n;
CREATE TEMPORARY TABLE demo_service_ids ON COMMIT DROP AS
SELECT d.n, s.id FROM demo_services d JOIN services s ON s.name = d.name;

INSERT INTO incident_services (incident_id, service_id, started_at)
SELECT DISTINCT pick.incident_id, s.id, pick.started_at
FROM (SELECT i.id AS incident_id, i.started_at, i.service AS n FROM demo_incidents i
      UNION ALL
      SELECT i.id, i.started_at, p.n
      FROM demo_incidents i
      CROSS JOIN generate_series(2, 1 + (ARRAY[0, 0, 1, 1, 2])[1 + i.n % 5]) k
      JOIN demo_popular p ON p.rank = 1 + floor(36 * power(((i.n * 7919 + k * 104729) % 1000) / 1000.0, 2.5))::int
     ) pick
JOIN demo_service_ids s ON s.n = pick.n;

-- Tags: none on some postmortems, one or two on the others.
INSERT INTO incident_tags (incident_id, tag)
SELECT DISTINCT i.id, (ARRAY['customer-facing', 'data-loss', 'security', 'third-party', 'weekend',
                            'near-miss', 'regional', 'rollback', 'capacity-planning', 'compliance'])
                      [1 + (i.n * 13 + k * 7) % 10]
FROM demo_incidents i CROSS JOIN generate_series(1, (i.n % 7) / 3) k;

-- Contributing factors: the cause's kind, what the root cause section adds, and now and then
-- the pressure of a deadline, each with a sentence of explanation.
INSERT INTO incident_factors (incident_id, factor_id, explanation, position)
SELECT DISTINCT ON (i.id, f.id) i.id, f.id, x.explanation, x.position
FROM demo_incidents i
CROSS JOIN demo_words w
CROSS JOIN LATERAL (VALUES
    (1, (ARRAY['Configuration', 'Process', 'Automation surprise', 'Change', 'Dependency', 'Capacity', 'Capacity',
               'Capacity', 'Monitoring gap', 'Configuration', 'Software defect', 'Dependency', 'Change',
               'Capacity', 'Software defect', 'Automation surprise', 'Change', 'Dependency', 'Change',
               'Software defect', 'Capacity', 'Capacity', 'Dependency', 'Capacity', 'Software defect',
               'Software defect', 'Software defect', 'Dependency', 'Software defect', 'Capacity',
               'Automation surprise', 'Configuration', 'Software defect', 'Capacity', 'Automation surprise',
               'Configuration', 'Software defect', 'Change', 'Dependency', 'Configuration'])[i.cause],
        format('%s affected the %s.', upper(left(w.causes[i.cause], 1)) || substr(w.causes[i.cause], 2),
               w.services[i.service])),
    (2, (ARRAY['Process', 'Monitoring gap', 'Knowledge gap', 'Capacity', 'Process'])[1 + (i.n * 3) % 5],
        (ARRAY['The canary did not cover the failing path.', 'Nothing alerted until customers noticed.',
               'The runbook was out of date.', 'Retries amplified the load tenfold.',
               'The change had been reviewed, but its blast radius was not.'])[1 + (i.n * 3) % 5]),
    (3, 'Production pressure', 'A release deadline kept the fix waiting in the queue.')
) AS x (position, factor, explanation)
JOIN factor_kinds f ON f.name = x.factor
WHERE x.position < 3 OR i.n % 4 = 0
ORDER BY i.id, f.id, x.position;

-- Confirmed recurrences: one postmortem in fifty repeats the latest earlier one with the same
-- service in its title, and the earlier one's alert and rollback items, if done, recurred.
CREATE INDEX ON demo_incidents (service, n);
INSERT INTO incident_recurrences (incident_id, earlier_id, confirmed_by, confirmed_at)
SELECT later.id, earlier.id, p.id, least(now(), later.started_at + interval '3 days')
FROM demo_incidents later
CROSS JOIN LATERAL (SELECT e.id FROM demo_incidents e WHERE e.service = later.service AND e.n > later.n
                    ORDER BY e.n LIMIT 1) earlier
JOIN demo_people p ON p.n = 1 + later.n % (SELECT people FROM demo_settings)
WHERE later.n % 50 = 7;

INSERT INTO action_item_recurrences (action_item_id, incident_id, recorded_at)
SELECT a.id, r.incident_id, r.confirmed_at
FROM incident_recurrences r
JOIN action_items a ON a.incident_id = r.earlier_id AND a.status = 'done'
    AND (a.body LIKE 'Add an alert on %' OR a.body LIKE 'Automate rollback of %');

-- Items already overdue are not news: note them so the webhook worker reports only items
-- that become overdue from now on.
SELECT enqueue_overdue_events(now());

-- Fresh statistics, so the planner sees the new size at once.
ANALYZE;
