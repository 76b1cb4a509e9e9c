-- Copied from the shared benchmark harness (bench/dataset.sql): the List Cutter sample
-- database of scenario 1, with its hand-written edge cases. Used by demo/run.sh.
-- Source dataset for the PostgreSQL -> SQLite (D1) migration benchmark.
--
-- Models a Django "list cutter" app: auth_user, list_cutter_savedfile,
-- contacts_person. Run with psql:  psql -v scale=100000 -f dataset.sql
-- (or bench/make-dataset.sh SCALE). Deterministic: setseed() + generate_series,
-- no parallel workers, so the same SCALE always yields the same rows.
--
--   contacts_person        SCALE rows
--   auth_user              max(SCALE/100, 10) rows
--   list_cutter_savedfile  max(SCALE/10, 10) rows
--
-- The first rows of each table are a hand-written catalogue of edge cases
-- (persons 1..20, users 1..5, files 1..6; see comments). Generated rows also get
-- edge values from the same pools in roughly 0.3-2% of rows per column.
\set ON_ERROR_STOP 1
\if :{?scale}
\else
  \set scale 100000
\endif
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;   -- keep random() order deterministic
SET synchronous_commit = off;
SET timezone = 'UTC';

SELECT greatest(:scale / 100, 10) AS nusers, greatest(:scale / 10, 10) AS nfiles \gset

DROP TABLE IF EXISTS contacts_person, list_cutter_savedfile, auth_user CASCADE;

CREATE TABLE auth_user (
  id           serial PRIMARY KEY,
  password     varchar(128) NOT NULL,
  last_login   timestamptz NULL,
  is_superuser boolean NOT NULL,
  username     varchar(150) NOT NULL UNIQUE,
  first_name   varchar(150) NOT NULL,
  last_name    varchar(150) NOT NULL,
  email        varchar(254) NOT NULL,
  is_staff     boolean NOT NULL,
  is_active    boolean NOT NULL,
  date_joined  timestamptz NOT NULL
);

CREATE TABLE list_cutter_savedfile (
  id          bigserial PRIMARY KEY,
  user_id     integer NOT NULL,             -- FK added after load
  file_id     varchar(255) NOT NULL UNIQUE,
  file_name   varchar(255) NOT NULL,
  file_path   varchar(500) NOT NULL,
  uploaded_at timestamptz NOT NULL,
  system_tags text[] NOT NULL DEFAULT '{}',
  user_tags   text[] NULL,
  metadata    jsonb NULL
);

CREATE TABLE contacts_person (
  cuttyid               integer PRIMARY KEY,
  created_by_id         integer NULL,       -- FK added after load
  firstname             varchar(50) NULL,
  middlename            varchar(50) NULL,
  lastname              varchar(50) NULL,
  dob                   date NULL,
  sex                   varchar(10) NULL,
  version               varchar(20) NULL,
  deceased              boolean NOT NULL DEFAULT false,
  active                boolean NOT NULL DEFAULT true,
  precinctname          varchar(100) NULL,
  countyname            varchar(100) NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  email                 varchar(254) NULL,
  secondary_email       varchar(254) NULL,
  phone                 varchar(20) NULL,
  secondary_phone       varchar(20) NULL,
  mailing_address_line1 varchar(255) NULL,
  mailing_address_line2 varchar(255) NULL,
  city                  varchar(100) NULL,
  statecode             varchar(2) NULL,
  postal_code           varchar(10) NULL,
  country               varchar(50) NULL,
  race                  varchar(50) NULL,
  ethnicity             varchar(50) NULL,
  income_range          varchar(50) NULL,
  model_scores          jsonb NULL,
  system_tags           text[] NOT NULL DEFAULT '{}',
  user_tags             text[] NULL,
  notes                 text NULL,
  score                 numeric(12,4) NULL,
  external_id           uuid NULL
);

-- ------------------------------------------------------------------ users
INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) VALUES
 -- 1: Django defaults: empty-string names/email (NOT NULL columns), never logged in
 (1, 'pbkdf2_sha256$600000$adminsalt$aGFzaA==', NULL, true, 'admin', '', '', '', true, true, '2019-01-01 00:00:00+00'),
 -- 2: unicode everywhere, far-future last_login
 (2, 'pbkdf2_sha256$600000$s2$h2==', '9999-12-31 23:59:59.999999+00', false, 'zoë_ünïcödé', 'Zoë', 'Ünïcödé-Łukasiewicz', 'zoe@exämple.com', false, true, '2020-06-01 12:00:00+05:45'),
 -- 3: quotes/space in username, far-past last_login
 (3, 'pbkdf2_sha256$600000$s3$h3==', '0001-01-01 00:00:00+00', false, 'o''brien test', 'Seán', 'O''Brien "Jr."', 'sean.o''brien@example.com', false, true, '2021-03-14 02:30:00 America/New_York'),
 -- 4: CJK + emoji, comma in password
 (4, 'pbkdf2_sha256$600000$salt,with,commas$h4==', '2023-11-05 01:30:00-04', false, '山田太郎', '🎉Party', '山田', 'yamada@example.jp', true, false, '1970-01-01 00:00:00+00'),
 -- 5: newline/tab in names (dirty import), backslash in password
 (5, E'md5$back\\slash$h5', '1969-12-31 23:59:59.5+00', false, 'dirty_user', E'Ann\tMarie', E'Smith\nJones', 'ANN@EXAMPLE.COM', false, true, '2000-02-29 23:59:59.999999-09:30');

SELECT setseed(0.4201) \gset
INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
SELECT i,
       'pbkdf2_sha256$600000$' || substr(md5(i::text), 1, 22) || '$' || md5(i::text || 'pw') || '=',
       CASE WHEN r[1] < 0.3 THEN NULL
            ELSE timestamptz '2020-01-01 00:00:00+00' + (r[2] * 157766400) * interval '1 second' END,
       i % 500 = 0,
       'user' || i,
       CASE WHEN r[3] < 0.1 THEN '' ELSE (ARRAY['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda','José','Zoë','Wei','Aisha'])[1 + floor(r[4] * 12)::int] END,
       CASE WHEN r[3] < 0.1 THEN '' ELSE (ARRAY['Smith','Johnson','Williams','Brown','García','Nguyễn','O''Connor','Müller','Kowalski','李'])[1 + floor(r[5] * 10)::int] END,
       'user' || i || '@example.org',
       i % 50 = 0,
       r[6] > 0.03,
       timestamptz '2018-01-01 00:00:00+00' + (r[7] * 189302400) * interval '1 second'
FROM (SELECT i, ARRAY[random(), random(), random(), random(), random(), random(), random()] AS r
      FROM generate_series(6, :nusers) AS i) s;
SELECT setval('auth_user_id_seq', :nusers) \gset

-- ------------------------------------------------------------------ saved files
INSERT INTO list_cutter_savedfile (id, user_id, file_id, file_name, file_path, uploaded_at, system_tags, user_tags, metadata) VALUES
 -- 1: NULL metadata and NULL user_tags, empty system_tags
 (1, 1, 'f-edge-0001', 'voters 2024 (final).csv', 'uploads/1/voters 2024 (final).csv', '2024-01-01 00:00:00+00', '{}', NULL, NULL),
 -- 2: unicode file name, unicode JSON, empty user_tags
 (2, 2, 'f-edge-0002', 'liste_électorale_東京_😀.csv', 'uploads/2/liste_électorale_東京_😀.csv', '2020-06-01 12:00:00+05:45',
    ARRAY['csv','unicode'], '{}', '{"encoding": "utf-8", "columns": ["név", "電話", "emoji 😀"], "bom": true}'),
 -- 3: quotes/commas in name, JSON null literal (not SQL NULL), arrays with commas/quotes/NULL elements
 (3, 3, 'f-edge-0003', 'O''Brien, "quoted", name.csv', 'uploads/3/O''Brien, "quoted", name.csv', '0001-01-01 00:00:00+00',
    ARRAY['a,b', 'say "hi"', 'NULL'], ARRAY[NULL, 'x', NULL, ''], 'null'),
 -- 4: backslashes, newline in file name, far-future upload, JSON scalar string
 (4, 4, 'f-edge-0004', E'multi\nline\tname.csv', E'C:\\Users\\x\\Desktop\\file.csv', '9999-12-31 23:59:59.999999+00',
    ARRAY[E'back\\slash', '{braces}'], ARRAY['  spaced  '], '"just a json string"'),
 -- 5: deep nesting, high-precision and huge numbers, escapes inside JSON strings
 (5, 5, 'f-edge-0005', 'nested.csv', 'uploads/5/nested.csv', '1969-12-31 23:59:59.5+00',
    ARRAY['csv'], NULL,
    '{"nested": {"deep": {"deeper": {"deepest": [1, [2, [3, {"x": null}]]]}}}, "precise": 0.12345678901234567890123456789, "big": 123456789012345678901234567890, "tiny": 1.5e-7, "text": "quote \" backslash \\ newline \n tab \t end"}'),
 -- 6: empty JSON object / array
 (6, 1, 'f-edge-0006', 'empty.csv', 'uploads/1/empty.csv', '2021-03-14 02:30:00 America/New_York', '{}', '{}', '{}');

SELECT setseed(0.4202) \gset
INSERT INTO list_cutter_savedfile (id, user_id, file_id, file_name, file_path, uploaded_at, system_tags, user_tags, metadata)
SELECT i, u, 'f-' || md5(i::text), fname, 'uploads/' || u || '/' || fname,
       timestamptz '2019-01-01 00:00:00+00' + (r[2] * 189302400) * interval '1 second',
       CASE WHEN r[3] < 0.01 THEN '{}'::text[] ELSE ARRAY['csv', 'rows:' || nrows] END,
       CASE WHEN r[4] < 0.4 THEN NULL
            WHEN r[4] < 0.45 THEN '{}'::text[]
            WHEN r[4] < 0.995 THEN ARRAY['campaign-' || (i % 17), 'q' || (1 + i % 4)]
            ELSE ARRAY['a,b', NULL, 'say "hi"'] END,
       CASE WHEN r[5] < 0.1 THEN NULL
            WHEN r[5] < 0.995 THEN jsonb_build_object('rows', nrows, 'columns', jsonb_build_array('firstname', 'lastname', 'email', 'zip'),
                                                      'delimiter', ',', 'encoding', 'utf-8', 'size_bytes', nrows * 123,
                                                      'quality', round(r[6]::numeric, 6))
            ELSE jsonb_build_object('rows', nrows, 'note', E'contains "quotes", commas,\nnewlines and ünïcödé 😀', 'ratio', r[6]) END
FROM (SELECT i, 1 + (i % :nusers) AS u, floor(r[1] * 50000)::int AS nrows,
             CASE WHEN r[7] < 0.01 THEN 'liste_électorale_' || i || '.csv'
                  WHEN r[7] < 0.02 THEN 'voters, "' || i || '".csv'
                  ELSE 'list_' || i || '.csv' END AS fname, r
      FROM (SELECT i, ARRAY[random(), random(), random(), random(), random(), random(), random()] AS r
            FROM generate_series(7, :nfiles) AS i) s0) s;
SELECT setval('list_cutter_savedfile_id_seq', :nfiles) \gset

-- ------------------------------------------------------------------ persons
INSERT INTO contacts_person (cuttyid, created_by_id, firstname, middlename, lastname, dob, sex, version, deceased, active,
  precinctname, countyname, created_at, updated_at, email, secondary_email, phone, secondary_phone,
  mailing_address_line1, mailing_address_line2, city, statecode, postal_code, country, race, ethnicity, income_range,
  model_scores, system_tags, user_tags, notes, score, external_id) VALUES
 -- 1: every nullable column NULL
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, true, NULL, NULL, '2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL),
 -- 2: every nullable text column '' (empty string, NOT NULL), empty arrays, empty JSON object
 (2, 1, '', '', '', NULL, '', '', false, true, '', '', '2020-01-01 00:00:00+00', '2020-01-01 00:00:00+00',
  '', '', '', '', '', '', '', '', '', '', '', '', '', '{}', '{}', '{}', '', 0, NULL),
 -- 3: unicode (accents, CJK, emoji, combining/ZWJ sequences)
 (3, 2, 'José', 'Zoë', 'Nguyễn', '1985-07-04', 'F', 'v2', false, true, 'Précinct 7', 'Doña Ana', '2022-02-02 02:02:02.020202+00', '2022-02-03 00:00:00+00',
  'josé@exämple.com', NULL, '+33 1 23 45 67 89', NULL, '1 Rue de l''Église', 'Bâtiment B', 'Mayagüez', 'PR', '00680', 'España',
  'Asian', 'Not Hispanic', '$50,000-$74,999', '{"name": "東京", "emoji": "😀👍🏽", "family": "👨‍👩‍👧", "accent": "é"}',
  ARRAY['café', '東京', '🎉'], ARRAY['naïve', 'e' || chr(769)], 'Ünïcödé: café, naïve, São Paulo. 中文字符 日本語 한국어. emoji 😀🎉👍🏽 👨‍👩‍👧', 42.4242, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
 -- 4: quotes and commas
 (4, 3, 'O''Neil', 'Mary-Jane', 'D"Angelo', '1990-01-01', 'M', 'v1', false, true, 'Precinct "12"', 'St. Mary''s', '2021-01-01 00:00:00+00', '2021-01-01 00:00:00+00',
  'o''neil@example.com', 'x"y@example.com', '(555) 123-4567', NULL, '12 "Main", Street', 'Apt 4, Unit ''B''', 'Coeur d''Alene', 'ID', '83814', 'US',
  NULL, NULL, 'Under $25,000', '{"quote": "she said \"hi\"", "apos": "it''s"}',
  ARRAY['a,b', 'say "hi"', 'it''s'], ARRAY['x,y,z'], 'She said "hi", then ''bye''; a,b,c', 1.5, NULL),
 -- 5: newlines, CRLF, tabs
 (5, 4, E'Ann\tMarie', NULL, E'Smith\nJones', '1975-05-05', 'F', NULL, false, true, NULL, NULL, '2021-06-01 00:00:00+00', '2021-06-01 00:00:00+00',
  NULL, NULL, NULL, NULL, E'Line one\nLine two', E'Suite 5\r\nBldg C', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  ARRAY[E'new\nline', E'tab\there'], NULL, E'line1\nline2\r\nline3\ttabbed\n\n', 0.1, NULL),
 -- 6: backslashes and look-alike NULL markers as real strings
 (6, 5, 'NULL', '\N', E'back\\slash', '2000-02-29', 'null', '\\N', false, true, E'C:\\precinct', NULL, '2021-07-01 00:00:00+00', '2021-07-01 00:00:00+00',
  NULL, NULL, NULL, NULL, E'\\\\server\\share', NULL, 'None', NULL, NULL, NULL, NULL, NULL, NULL, '{"path": "C:\\\\x\\\\y"}',
  ARRAY['NULL', '\N', E'back\\slash', '{braces}', ''], ARRAY['None'], '\N', -0.0001, NULL),
 -- 7: arrays with NULL elements
 (7, 1, 'Arr', NULL, 'Ays', NULL, NULL, NULL, false, true, NULL, NULL, '2021-08-01 00:00:00+00', '2021-08-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]',
  ARRAY[NULL, 'x', NULL], ARRAY[NULL]::text[], NULL, NULL, NULL),
 -- 8-12: numeric(12,4) extremes and trailing zeros
 (8, 1, 'Max', NULL, 'Score', NULL, NULL, NULL, false, true, NULL, NULL, '2021-09-01 00:00:00+00', '2021-09-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '{"precise": 0.12345678901234567890123456789, "big": 123456789012345678901234567890, "tiny": 1.5e-7, "neg": -0.0}', '{}', NULL, NULL, 99999999.9999, NULL),
 (9, 1, 'Min', NULL, 'Score', NULL, NULL, NULL, false, true, NULL, NULL, '2021-09-01 00:00:00+00', '2021-09-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, -99999999.9999, NULL),
 (10, 1, 'Tiny', NULL, 'Score', NULL, NULL, NULL, false, true, NULL, NULL, '2021-09-01 00:00:00+00', '2021-09-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, 0.0001, NULL),
 (11, 1, 'Digits', NULL, 'Score', NULL, NULL, NULL, false, true, NULL, NULL, '2021-09-01 00:00:00+00', '2021-09-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, 12345678.9012, NULL),
 (12, 1, 'Third', NULL, 'Score', NULL, NULL, NULL, false, true, NULL, NULL, '2021-09-01 00:00:00+00', '2021-09-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, 33333333.3333, NULL),
 -- 13: far past
 (13, 1, 'Far', NULL, 'Past', '0001-01-01', NULL, NULL, true, false, NULL, NULL, '0001-01-01 00:00:00+00', '0001-01-01 00:00:00.000001+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL),
 -- 14: far future
 (14, 1, 'Far', NULL, 'Future', '9999-12-31', NULL, NULL, false, true, NULL, NULL, '9999-12-31 23:59:59.999999+00', '9999-12-31 23:59:59+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL),
 -- 15: other zones in, DST gap, leap day, pre-1901 LMT zone
 (15, 1, 'Zone', NULL, 'Hopper', '1899-12-31', NULL, NULL, false, true, NULL, NULL, '2020-06-01 12:00:00+05:45', '2021-03-14 02:30:00 America/New_York',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL),
 (16, 1, 'Zone', NULL, 'Old', '1900-01-01', NULL, NULL, false, true, NULL, NULL, '1883-11-18 12:00:00 America/New_York', '2020-12-31 23:59:59.999999-09:30',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '"just a json string"', '{}', NULL, NULL, NULL, NULL),
 -- 17: JSON null literal (not SQL NULL), JSON escapes
 (17, 1, 'Json', NULL, 'Null', NULL, NULL, NULL, false, true, NULL, NULL, '1969-12-31 23:59:59.5+00', '1970-01-01 00:00:00+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', '{}', NULL, NULL, NULL, NULL),
 (18, 1, 'Json', NULL, 'Deep', NULL, NULL, NULL, false, true, NULL, NULL, '2038-01-19 03:14:08+00', '2038-01-19 03:14:08+00',
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  '{"nested": {"deep": {"deeper": {"deepest": [1, [2, [3, {"x": null, "t": true, "f": false}]]]}}}, "text": "quote \" backslash \\ newline \n tab \t \u00e9 end"}',
  '{}', NULL, NULL, NULL, NULL),
 -- 19: long text, leading/trailing whitespace, numbers-as-text with leading zeros
 (19, 1, '  Ann  ', ' ', 'Trailing ', '1980-01-01', 'X', '2024.01.15-rc1', false, true, NULL, NULL, '2022-01-01 00:00:00+00', '2022-01-01 00:00:00+00',
  NULL, NULL, '007', '0012345678', NULL, NULL, NULL, NULL, '02134', NULL, NULL, NULL, NULL, NULL,
  '{}', NULL, repeat('long text, with "quotes" and commas; ', 400) || E'\n' || repeat('é', 1000), 0, '00000000-0000-0000-0000-000000000000'),
 -- 20: emoji-only name, uppercase uuid input, numbers in text fields
 (20, 1, '😀', NULL, '1e5', '1999-12-31', NULL, '1.0', true, false, NULL, NULL, '1999-12-31 23:59:59.999999+00', '2000-01-01 00:00:00+00',
  NULL, NULL, '1e10', NULL, NULL, NULL, NULL, NULL, '00680', NULL, NULL, NULL, NULL, '{"a": 1}', '{}', NULL, 'true', 1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12');

SELECT setseed(0.4203) \gset
INSERT INTO contacts_person (cuttyid, created_by_id, firstname, middlename, lastname, dob, sex, version, deceased, active,
  precinctname, countyname, created_at, updated_at, email, secondary_email, phone, secondary_phone,
  mailing_address_line1, mailing_address_line2, city, statecode, postal_code, country, race, ethnicity, income_range,
  model_scores, system_tags, user_tags, notes, score, external_id)
SELECT i,
  CASE WHEN r[1] < 0.08 THEN NULL ELSE 1 + (i % :nusers) END,
  fn,
  CASE WHEN r[3] < 0.6 THEN NULL WHEN r[3] < 0.62 THEN '' ELSE chr(65 + floor(r[4] * 26)::int) END,
  ln,
  CASE WHEN r[6] < 0.05 THEN NULL
       WHEN r[6] < 0.052 THEN (ARRAY[date '0001-01-01', date '1900-01-01', date '2000-02-29', date '1899-12-31'])[1 + floor(r[7] * 4)::int]
       ELSE date '1930-01-01' + floor(r[7] * 27000)::int END,
  (ARRAY['M','F','F','M','X','U',NULL,''])[1 + floor(r[8] * 8)::int],
  'v' || (1 + floor(r[9] * 3)::int),
  r[10] < 0.02,
  r[11] > 0.05,
  'Precinct ' || (1 + floor(r[12] * 500)::int),
  (ARRAY['Cook','Harris','Maricopa','San Diego','Orange','Miami-Dade','King','Doña Ana','St. Mary''s','Prince George''s'])[1 + floor(r[13] * 10)::int],
  CASE WHEN r[14] < 0.005 THEN (ARRAY[timestamptz '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00', '1883-11-18 12:00:00 America/New_York',
                                      '2021-03-14 02:30:00 America/New_York', '2020-06-01 12:00:00+05:45', '1969-12-31 23:59:59.5+00'])[1 + floor(r[15] * 6)::int]
       ELSE base_ts END,
  base_ts + (r[15] * 34560000) * interval '1 second',
  CASE WHEN r[16] < 0.1 THEN NULL ELSE lower(coalesce(nullif(fn, ''), 'x')) || '.' || lower(coalesce(nullif(ln, ''), 'y')) || i || '@example.com' END,
  CASE WHEN r[16] < 0.8 THEN NULL ELSE 'alt' || i || '@example.net' END,
  CASE WHEN r[17] < 0.15 THEN NULL WHEN r[17] < 0.16 THEN '+44 20 7946 0958' WHEN r[17] < 0.17 THEN ''
       ELSE '(' || (200 + floor(r[18] * 800)::int) || ') 555-' || lpad(floor(r[19] * 10000)::int::text, 4, '0') END,
  CASE WHEN r[17] < 0.9 THEN NULL ELSE '555.' || lpad(floor(r[18] * 1000)::int::text, 3, '0') || '.' || lpad((i % 10000)::text, 4, '0') END,
  (1 + i % 9999) || ' ' || (ARRAY['Main','Oak','Maple','Cedar','Elm','Washington','Lake','Hill','Église','Peña'])[1 + floor(r[20] * 10)::int] || ' St',
  CASE WHEN r[21] < 0.85 THEN NULL WHEN r[21] < 0.99 THEN 'Apt ' || (1 + floor(r[22] * 300)::int)
       WHEN r[21] < 0.995 THEN E'Suite 5\nBuilding "C"' ELSE 'Unit #4, Rear' END,
  (ARRAY['Chicago','Houston','Phoenix','San Diego','Anaheim','Miami','Seattle','Las Cruces','Coeur d''Alene','Mayagüez','St. Louis','Winston-Salem'])[1 + floor(r[23] * 12)::int],
  (ARRAY['IL','TX','AZ','CA','CA','FL','WA','NM','ID','PR','MO','NC'])[1 + floor(r[23] * 12)::int],
  CASE WHEN r[24] < 0.03 THEN NULL WHEN r[24] < 0.04 THEN lpad(floor(r[22] * 99999)::int::text, 5, '0') || '-' || lpad((i % 9999)::text, 4, '0')
       ELSE lpad(floor(r[22] * 99999)::int::text, 5, '0') END,
  CASE WHEN r[24] < 0.02 THEN NULL WHEN r[24] < 0.03 THEN 'United States' WHEN r[24] < 0.035 THEN 'México' ELSE 'US' END,
  (ARRAY['White','Black','Asian','Native American','Pacific Islander','Other',NULL,'Prefer not to say'])[1 + floor(r[25] * 8)::int],
  (ARRAY['Hispanic','Not Hispanic',NULL,'Unknown'])[1 + floor(r[26] * 4)::int],
  (ARRAY['Under $25,000','$25,000-$49,999','$50,000-$74,999','$75,000-$99,999','$100,000+',NULL])[1 + floor(r[27] * 6)::int],
  CASE WHEN r[28] < 0.3 THEN NULL
       WHEN r[28] < 0.995 THEN jsonb_build_object('turnout', round(r[29]::numeric, 4), 'support', round(r[30]::numeric, 4),
                                                  'model', 'v3', 'segments', jsonb_build_array('seg' || (i % 7), 'seg' || (i % 11)))
       WHEN r[28] < 0.996 THEN 'null'::jsonb
       WHEN r[28] < 0.997 THEN '{}'::jsonb
       WHEN r[28] < 0.998 THEN '{"precise": 0.12345678901234567890123456789, "big": 123456789012345678901234567890}'::jsonb
       ELSE jsonb_build_object('note', E'contains "quotes", commas,\nnewlines, back\\slash and ünïcödé 東京 😀', 'nested', jsonb_build_object('a', jsonb_build_array(1, null, true))) END,
  CASE WHEN r[31] < 0.6 THEN '{}'::text[] WHEN r[31] < 0.99 THEN ARRAY['imported', 'voterfile-' || (2016 + (i % 3) * 4)]
       WHEN r[31] < 0.993 THEN ARRAY['a,b', 'say "hi"'] WHEN r[31] < 0.996 THEN ARRAY[NULL, 'x']
       ELSE ARRAY['café', '東京', '🎉', E'back\\slash', '{braces}'] END,
  CASE WHEN r[32] < 0.5 THEN NULL WHEN r[32] < 0.6 THEN '{}'::text[] WHEN r[32] < 0.99 THEN ARRAY['volunteer']
       WHEN r[32] < 0.995 THEN ARRAY['donor', 'vip', 'needs "follow-up", soon'] ELSE ARRAY[NULL, NULL]::text[] END,
  CASE WHEN r[33] < 0.7 THEN NULL
       WHEN r[33] < 0.98 THEN 'Called on ' || to_char(base_ts, 'YYYY-MM-DD') || '; prefers ' || (ARRAY['email','phone','text','mail'])[1 + floor(r[34] * 4)::int] || '.'
       ELSE (ARRAY['She said "hi" and left', E'line1\nline2\nline3', E'windows\r\nline', E'tab\there', 'O''Reilly''s note; it''s fine',
                   E'back\\slash and C:\\path', '\N', 'NULL', '', '   leading and trailing spaces   ',
                   'Ünïcödé: café, naïve, São Paulo, Zürich', '中文字符 日本語 한국어', 'emoji 😀🎉👍🏽 family 👨‍👩‍👧',
                   'comma, separated, values', '{"looks": "like json"}', repeat('long ', 2000)])[1 + floor(r[34] * 16)::int] END,
  CASE WHEN r[35] < 0.1 THEN NULL WHEN r[35] < 0.101 THEN 99999999.9999 WHEN r[35] < 0.102 THEN -99999999.9999
       ELSE round((r[36] * 200000 - 100000)::numeric, 4) END,
  CASE WHEN r[35] < 0.2 THEN NULL ELSE md5(i::text || 'uuid')::uuid END
FROM (SELECT i, r,
             timestamptz '2015-01-01 00:00:00+00' + (r[2] * 283996800) * interval '1 second' AS base_ts,
             CASE WHEN r[37] < 0.005 THEN NULL WHEN r[37] < 0.01 THEN ''
                  ELSE (ARRAY['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda','David','Elizabeth','William','Barbara',
                              'José','María','Zoë','Renée','Łukasz','Björk','O''Neil','Mary-Jane','Wei','Aisha','Ngọc','Søren','王','😀'])[1 + floor(r[38] * 26)::int] END AS fn,
             CASE WHEN r[37] > 0.995 THEN NULL
                  ELSE (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','García-Márquez',
                              'Nguyễn','O''Connor','D"Angelo','Müller','Kowalski','Smith, Jr.','李','Ødegård','van der Berg'])[1 + floor(r[39] * 20)::int] END AS ln
      FROM (SELECT i, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
                            random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
                            random(), random(), random(), random(), random(), random(), random(), random(), random(), random(),
                            random(), random(), random(), random(), random(), random(), random(), random(), random()] AS r
            FROM generate_series(21, :scale) AS i) s0) s;

-- ------------------------------------------------------------------ constraints + stats
ALTER TABLE list_cutter_savedfile ADD CONSTRAINT list_cutter_savedfile_user_id_fk FOREIGN KEY (user_id) REFERENCES auth_user (id);
ALTER TABLE contacts_person ADD CONSTRAINT contacts_person_created_by_id_fk FOREIGN KEY (created_by_id) REFERENCES auth_user (id);
CREATE INDEX list_cutter_savedfile_user_id_idx ON list_cutter_savedfile (user_id);
CREATE INDEX contacts_person_created_by_id_idx ON contacts_person (created_by_id);
-- freeze + hint bits now, so the first benchmark read does not pay for them
VACUUM (FREEZE, ANALYZE) auth_user, list_cutter_savedfile, contacts_person;

SELECT 'auth_user' AS table_name, count(*) AS rows FROM auth_user
UNION ALL SELECT 'list_cutter_savedfile', count(*) FROM list_cutter_savedfile
UNION ALL SELECT 'contacts_person', count(*) FROM contacts_person;
