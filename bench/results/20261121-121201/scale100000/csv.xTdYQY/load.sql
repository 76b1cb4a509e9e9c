.bail on
-- D1 / SQLite target schema used by every baseline (and by the spot check).
--
-- Type mapping from PostgreSQL:
--   serial / bigserial / integer      -> INTEGER
--   boolean                           -> INTEGER 0/1
--   varchar / text                    -> TEXT
--   timestamptz                       -> TEXT, ISO-8601 in UTC, canonical form
--                                        'YYYY-MM-DDTHH:MM:SS.ffffffZ' (always 6 fraction digits,
--                                        so string order = time order; SQLite's date functions parse it)
--   date                              -> TEXT 'YYYY-MM-DD'
--   text[]                            -> TEXT holding a JSON array (NULL elements -> JSON null)
--   jsonb                             -> TEXT holding the JSON document (a JSON `null` document stays the
--                                        4-char text 'null'; SQL NULL stays NULL)
--   uuid                              -> TEXT, lower-case canonical 8-4-4-4-12
--   numeric(12,4)                     -> REAL. Chosen because a numeric(12,4) has at most 12 significant
--                                        digits and IEEE double round-trips any decimal with <= 15, so the
--                                        value is exact (only display scale, e.g. 1.5000 -> 1.5, is lost) and
--                                        SQL arithmetic/ordering keep working. Unconstrained numeric would
--                                        need TEXT.
-- NOT NULL / UNIQUE / FK mirror the source. Foreign keys are declared but SQLite only
-- enforces them with PRAGMA foreign_keys=ON (D1 enforces them by default).
CREATE TABLE users (
  id           INTEGER PRIMARY KEY,
  password     TEXT NOT NULL,
  last_login   TEXT,
  is_superuser INTEGER NOT NULL,
  username     TEXT NOT NULL UNIQUE,
  first_name   TEXT NOT NULL,
  last_name    TEXT NOT NULL,
  email        TEXT NOT NULL,
  is_staff     INTEGER NOT NULL,
  is_active    INTEGER NOT NULL,
  date_joined  TEXT NOT NULL
);
CREATE TABLE saved_files (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  file_id     TEXT NOT NULL UNIQUE,
  file_name   TEXT NOT NULL,
  file_path   TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  system_tags TEXT NOT NULL,
  user_tags   TEXT,
  metadata    TEXT
);
CREATE TABLE persons (
  cuttyid               INTEGER PRIMARY KEY,
  created_by_id         INTEGER REFERENCES users(id),
  firstname             TEXT,
  middlename            TEXT,
  lastname              TEXT,
  dob                   TEXT,
  sex                   TEXT,
  version               TEXT,
  deceased              INTEGER NOT NULL,
  active                INTEGER NOT NULL,
  precinctname          TEXT,
  countyname            TEXT,
  created_at            TEXT NOT NULL,
  updated_at            TEXT NOT NULL,
  email                 TEXT,
  secondary_email       TEXT,
  phone                 TEXT,
  secondary_phone       TEXT,
  mailing_address_line1 TEXT,
  mailing_address_line2 TEXT,
  city                  TEXT,
  statecode             TEXT,
  postal_code           TEXT,
  country               TEXT,
  race                  TEXT,
  ethnicity             TEXT,
  income_range          TEXT,
  model_scores          TEXT,
  system_tags           TEXT NOT NULL,
  user_tags             TEXT,
  notes                 TEXT,
  score                 REAL,
  external_id           TEXT
);
CREATE INDEX saved_files_user_id_idx ON saved_files(user_id);
CREATE INDEX persons_created_by_id_idx ON persons(created_by_id);
BEGIN;
.import --csv '/work/main/bench/results/20261121-121201/scale100000/csv.xTdYQY/users.csv' users
.import --csv '/work/main/bench/results/20261121-121201/scale100000/csv.xTdYQY/saved_files.csv' saved_files
.import --csv '/work/main/bench/results/20261121-121201/scale100000/csv.xTdYQY/persons.csv' persons
COMMIT;
