-- Synthetic records for the scorecard benchmark (bench/scorecard), written straight into
-- PostgreSQL: :per_org records for each organisation listed in the temporary table
-- bench_orgs (org_id), in the proportions of a busy year-round organisation — members
-- 30 %, activities 40 %, metric observations 20 %, surveys 5 %, projects 3 %, milestones
-- 2 % — dated over 2015–2024, so that a 2022 KPI reads about a tenth of them.
-- Deterministic: the same rows on every run. Organisation numbers carry a valid MOD11 check
-- digit and start with 2, outside the range the national register gives out.
--
--   psql -v per_org=100000 -f bench/records.sql DB   (after filling bench_orgs)

\set members      '(:per_org * 30 / 100)'
\set activities   '(:per_org * 40 / 100)'
\set observations '(:per_org * 20 / 100)'
\set surveys      '(:per_org * 5 / 100)'
\set projects     '(:per_org * 3 / 100)'
\set milestones   '(:per_org - :members - :activities - :observations - :surveys - :projects)'

BEGIN;

-- nine-digit organisation numbers 2xxxxxxxc with a valid check digit, numbered from 1
CREATE TEMPORARY TABLE bench_numbers AS
SELECT row_number() OVER (ORDER BY base) AS n, base || check_digit AS org_number
FROM (
    SELECT base, CASE 11 - weighted % 11 WHEN 11 THEN '0' ELSE (11 - weighted % 11)::text END AS check_digit,
           11 - weighted % 11 AS r
    FROM (
        SELECT base,
               substr(base, 1, 1)::int * 3 + substr(base, 2, 1)::int * 2 + substr(base, 3, 1)::int * 7
             + substr(base, 4, 1)::int * 6 + substr(base, 5, 1)::int * 5 + substr(base, 6, 1)::int * 4
             + substr(base, 7, 1)::int * 3 + substr(base, 8, 1)::int * 2 AS weighted
        FROM (SELECT (20000000 + g)::text AS base FROM generate_series(0, :members * 12 / 10 + 100) g) b
    ) w
) c
WHERE r <> 10;

INSERT INTO members (org_id, org_number, name, municipality, membership_type, joined_on, left_on,
                     employees, created_by, updated_by, created_at, updated_at)
SELECT o.org_id, num.org_number, 'Bedrift ' || i || ' AS',
       (ARRAY['3032', '3033', '3034', '3035', '3036', '3037'])[1 + i % 6],
       CASE WHEN i % 50 = 0 THEN 'associated' ELSE 'ordinary' END,
       DATE '2015-01-01' + (i * 7919) % 3653,
       CASE WHEN i % 10 = 0 THEN DATE '2015-01-01' + (i * 7919) % 3653 + 200 + i % 1500 END,
       CASE WHEN i % 9 <> 0 THEN i % 300 END,
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(1, :members) i
JOIN bench_numbers num ON num.n = i;

INSERT INTO activities (org_id, kind, title, date, status, participants, municipality,
                        created_by, updated_by, created_at, updated_at)
SELECT o.org_id,
       (ARRAY['member_meeting', 'network_meeting', 'other_arena', 'promotion'])[1 + i % 4],
       'Aktivitet ' || i,
       DATE '2015-01-01' + (i * 37) % 3653,
       CASE WHEN i % 10 = 0 THEN 'cancelled' WHEN i % 10 = 1 THEN 'planned' ELSE 'held' END,
       CASE WHEN i % 10 > 1 AND i % 7 <> 0 THEN 5 + i % 80 END,
       CASE WHEN i % 5 <> 0 THEN (ARRAY['3032', '3033', '3034', '3035', '3036', '3037'])[1 + i % 6] END,
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(1, :activities) i;

-- ten metrics × five dimensions (channels the demo year does not use, so that no value
-- lands on one of its days), one value per metric, dimension and day
INSERT INTO observations (org_id, metric_key, dimension, observed_on, value,
                          created_by, updated_by, created_at, updated_at)
SELECT o.org_id,
       (ARRAY['social.followers', 'web.visits', 'web.signups', 'news.subscribers', 'press.mentions',
              'events.tickets', 'intranet.logins', 'members.employees', 'survey.invites', 'courses.seats'])[1 + i % 10],
       (ARRAY['x', 'youtube', 'tiktok', 'snapchat', 'pinterest'])[1 + (i / 10) % 5],
       DATE '2015-01-01' + (i / 50) * 3653 / greatest(:observations / 50, 1),
       1000 + (i * 13) % 5000,
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(0, :observations - 1) i;

INSERT INTO surveys (org_id, audience, title, conducted_on, invited, responses, scale_min, scale_max,
                     mean_score, nps, created_by, updated_by, created_at, updated_at)
SELECT o.org_id, CASE WHEN i % 2 = 0 THEN 'internal' ELSE 'external' END, 'Undersøkelse ' || i,
       DATE '2015-01-01' + (i * 131) % 3653, 100 + i % 500, (100 + i % 500) * (20 + i % 60) / 100,
       1, 5, 1 + (i % 40) / 10.0, CASE WHEN i % 3 <> 0 THEN i % 201 - 100 END,
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(1, :surveys) i;

INSERT INTO projects (org_id, title, role, start_on, end_on, funder, funding_scheme, case_number,
                      external_funding, status, created_by, updated_by, created_at, updated_at)
SELECT o.org_id, 'Prosjekt ' || i, (ARRAY['owner', 'leader', 'partner'])[1 + i % 3],
       DATE '2015-01-01' + (i * 53) % 3653,
       CASE WHEN i % 4 <> 0 THEN DATE '2015-01-01' + (i * 53) % 3653 + 200 + i % 600 END,
       'Innovasjon Norge', 'Bedriftsnettverk', NULL, (i % 5) * 100000,
       (ARRAY['applied', 'granted', 'running', 'completed', 'rejected'])[1 + i % 5],
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(1, :projects) i;

INSERT INTO milestones (org_id, kind, title, due_on, achieved_on, municipality, listed_on,
                        created_by, updated_by, created_at, updated_at)
SELECT o.org_id,
       (ARRAY['benefit_programme_launched', 'business_association_started', 'information_strategy_adopted',
              'course_programme_started'])[1 + i % 4],
       'Milepæl ' || i, DATE '2015-01-01' + (i * 71) % 3653,
       CASE WHEN i % 2 = 0 THEN DATE '2015-01-01' + (i * 71) % 3653 - i % 30 END,
       (ARRAY['3032', '3033', '3034', '3035', '3036', '3037'])[1 + i % 6],
       CASE WHEN i % 2 = 0 THEN DATE '2015-01-01' + (i * 71) % 3653 - i % 30 ELSE DATE '2015-01-01' + (i * 71) % 3653 END,
       'bench', 'bench', now(), now()
FROM bench_orgs o
CROSS JOIN generate_series(1, :milestones) i;

-- what was written outside the service still counts as a change of the data
UPDATE organisations SET data_version = data_version + 1 WHERE id IN (SELECT org_id FROM bench_orgs);

COMMIT;
-- vacuumed, analysed and written out now, so that no autovacuum or checkpoint of these
-- rows runs during the measurements that follow
VACUUM ANALYZE;
CHECKPOINT;
