import type { Db } from './db';

export interface Migration {
  version: number;
  sql: string;
}

/**
 * Every schema change, in order. Never edit a migration that has shipped: add the next one.
 * Ids are UUIDv7 text; times are timestamptz; sequence numbers are bigint.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE halls (
  id text PRIMARY KEY,
  name text NOT NULL,
  name_en text,
  -- HMAC key that signs the window cards' URLs.
  secret text NOT NULL,
  -- Last hall_seq handed out; bumped under the row lock inside each writing transaction.
  next_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL
);

CREATE TABLE devices (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  -- evaluator, duty_kiosk, inspection_tablet; 'phone' for a citizen's phone; 'console' for the
  -- hall's own writer of reference data.
  role text NOT NULL,
  window_id text,
  name text,
  token_hash text UNIQUE,
  last_seq bigint NOT NULL DEFAULT 0,
  last_hash text,
  enrolled_at timestamptz NOT NULL,
  last_seen_at timestamptz,
  pending integer,
  revoked_at timestamptz
);
CREATE INDEX devices_hall ON devices (hall_id, role);

CREATE TABLE enrollments (
  code_hash text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  role text NOT NULL,
  window_id text,
  name text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  device_id text
);

CREATE TABLE events (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  hall_seq bigint NOT NULL,
  device_id text NOT NULL,
  device_seq bigint NOT NULL,
  type text NOT NULL,
  actor_id text,
  at timestamptz NOT NULL,
  -- The hlc as ordered by the server (clamped when too far ahead) and as the device sent it.
  hlc text NOT NULL,
  hlc_original text NOT NULL,
  prev_hash text,
  hash text NOT NULL,
  payload jsonb NOT NULL,
  -- The event exactly as received.
  envelope jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  UNIQUE (hall_id, hall_seq)
);
CREATE INDEX events_device ON events (device_id, device_seq);

CREATE TABLE rejected_events (
  event_id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  device_id text NOT NULL,
  device_seq bigint NOT NULL,
  type text,
  reason text NOT NULL,
  message text NOT NULL,
  envelope jsonb NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX rejected_events_hall ON rejected_events (hall_id, received_at);

CREATE TABLE departments (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  code text NOT NULL,
  name text NOT NULL,
  name_en text,
  sort integer NOT NULL,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);

CREATE TABLE windows (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  department_id text NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  name_en text,
  sort integer NOT NULL,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);
-- Window codes appear alone in rating card URLs, so they are unique across halls.
CREATE UNIQUE INDEX windows_code ON windows (upper(code));

CREATE TABLE leaders (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  department_id text NOT NULL,
  title text NOT NULL,
  title_en text,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);

CREATE TABLE settings (
  hall_id text PRIMARY KEY REFERENCES halls (id),
  settings jsonb NOT NULL,
  versions jsonb NOT NULL
);

CREATE TABLE ratings (
  event_id text PRIMARY KEY REFERENCES events (id),
  hall_id text NOT NULL,
  device_id text NOT NULL,
  window_id text NOT NULL,
  department_id text NOT NULL,
  level text NOT NULL,
  channel text NOT NULL,
  ticket text,
  phone_id text,
  duty_session_id text,
  reasons jsonb NOT NULL,
  comment text NOT NULL,
  at timestamptz NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX ratings_ticket ON ratings (hall_id, ticket);
CREATE INDEX ratings_phone ON ratings (phone_id, window_id, at);
CREATE INDEX ratings_hall_at ON ratings (hall_id, at);

CREATE TABLE admins (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE admin_sessions (
  token_hash text PRIMARY KEY,
  admin_id text NOT NULL REFERENCES admins (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE blobs (
  sha256 text PRIMARY KEY,
  bytes bytea NOT NULL,
  size integer NOT NULL,
  content_type text NOT NULL,
  created_at timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    sql: `
-- 局长坐班: leaders' badges and PINs, the duty schedule, duty sessions and recorded problems.
ALTER TABLE leaders ADD COLUMN badge_code text;

-- A leader's PIN as the server keeps it: a slow scrypt hash, and the version kiosks hold now.
CREATE TABLE leader_pins (
  leader_id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  scrypt_hash text NOT NULL,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Every PBKDF2 hash a leader's PIN ever had, so a sign-in made offline with an earlier PIN can
-- still be checked against the version it names.
CREATE TABLE leader_pin_versions (
  leader_id text NOT NULL,
  version integer NOT NULL,
  salt text NOT NULL,
  iterations integer NOT NULL,
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (leader_id, version)
);

-- The fold of ref.dutyShiftSaved (last writer wins, like the other reference tables).
CREATE TABLE duty_shifts (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  leader_id text NOT NULL,
  department_id text NOT NULL,
  window_id text,
  date date NOT NULL,
  start_time text NOT NULL,
  end_time text NOT NULL,
  published boolean NOT NULL,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);
CREATE INDEX duty_shifts_hall_date ON duty_shifts (hall_id, date);

-- One row per duty.signedIn stored; the ledger itself is read from the duty.* events.
CREATE TABLE duty_sessions (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  leader_id text NOT NULL,
  department_id text NOT NULL,
  window_id text,
  device_id text NOT NULL,
  signed_in_at timestamptz NOT NULL,
  signed_out_at timestamptz
);
CREATE INDEX duty_sessions_hall_at ON duty_sessions (hall_id, signed_in_at);
CREATE INDEX events_duty_session ON events ((payload ->> 'sessionId')) WHERE type LIKE 'duty.%';

-- Problems for the rectification pipeline, as recorded.
CREATE TABLE problems (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  event_id text NOT NULL REFERENCES events (id),
  source text NOT NULL,
  source_id text NOT NULL,
  department_id text NOT NULL,
  window_id text,
  description text NOT NULL,
  severity text NOT NULL,
  recorded_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'found'
);
CREATE INDEX problems_hall ON problems (hall_id, recorded_at);
`,
  },
  {
    version: 3,
    sql: `
-- 局长走流程 / 暗访 and the rectification pipeline: the walk checklist, the holiday calendar,
-- walks, and each problem's folded state (the fold of its events, src/domain/problem.ts).
CREATE TABLE checklist_items (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  group_key text NOT NULL,
  text text NOT NULL,
  text_en text,
  sort integer NOT NULL,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);
CREATE INDEX checklist_items_hall ON checklist_items (hall_id);

CREATE TABLE holiday_years (
  hall_id text NOT NULL REFERENCES halls (id),
  year integer NOT NULL,
  holidays jsonb NOT NULL,
  workdays jsonb NOT NULL,
  confirmed boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL,
  PRIMARY KEY (hall_id, year)
);

CREATE TABLE walks (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  mode text NOT NULL,
  leader_id text NOT NULL,
  department_id text NOT NULL,
  window_id text,
  device_id text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  -- The walk as folded (src/domain/walk.ts).
  state jsonb NOT NULL
);
CREATE INDEX walks_hall ON walks (hall_id, started_at);

ALTER TABLE problems
  ADD COLUMN walk_id text,
  ADD COLUMN checklist_item_id text,
  ADD COLUMN assignee_department_id text,
  ADD COLUMN recorded_hlc text,
  ADD COLUMN updated_at timestamptz,
  -- The problem as folded (src/domain/problem.ts); status above is kept equal to state's.
  ADD COLUMN state jsonb;
CREATE INDEX problems_hall_status ON problems (hall_id, status);
CREATE INDEX problems_walk ON problems (walk_id) WHERE walk_id IS NOT NULL;

-- Steps of a problem, a walk's events and follow-up ratings are found by the id they name.
CREATE INDEX events_problem ON events ((payload ->> 'problemId')) WHERE type LIKE 'problem.%';
CREATE INDEX events_walk ON events ((payload ->> 'walkId')) WHERE type LIKE 'walk.%';
CREATE INDEX events_follow_up ON events ((payload ->> 'ratingId')) WHERE type = 'rating.followedUp';

-- Photos referenced by events, so the console can say which are still on a tablet.
CREATE TABLE photo_refs (
  sha256 text NOT NULL,
  hall_id text NOT NULL REFERENCES halls (id),
  event_id text NOT NULL,
  device_id text NOT NULL,
  problem_id text,
  PRIMARY KEY (sha256, event_id)
);
CREATE INDEX photo_refs_hall ON photo_refs (hall_id);
CREATE INDEX photo_refs_problem ON photo_refs (problem_id);
`,
  },
  {
    version: 4,
    sql: `
-- The console's figures. Ratings counted per window, hall-local day and hour, and level, kept by
-- a statement trigger from the rows each insert adds, so the dashboard reads a few thousand rows
-- for a month where the ratings are a million.
CREATE TABLE rating_rollup (
  hall_id text NOT NULL,
  department_id text NOT NULL,
  window_id text NOT NULL,
  day date NOT NULL,
  hour smallint NOT NULL,
  level text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (hall_id, department_id, day, window_id, hour, level)
);
CREATE INDEX rating_rollup_hall_day ON rating_rollup (hall_id, day);

CREATE FUNCTION rating_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rating_rollup (hall_id, department_id, window_id, day, hour, level, n)
  SELECT hall_id, department_id, window_id,
         (at AT TIME ZONE 'Asia/Shanghai')::date,
         extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::smallint,
         level, count(*)
    FROM added
   GROUP BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (hall_id, department_id, day, window_id, hour, level)
  DO UPDATE SET n = rating_rollup.n + excluded.n;
  RETURN NULL;
END
$$;
CREATE TRIGGER ratings_rollup AFTER INSERT ON ratings
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_add();

INSERT INTO rating_rollup (hall_id, department_id, window_id, day, hour, level, n)
SELECT hall_id, department_id, window_id,
       (at AT TIME ZONE 'Asia/Shanghai')::date,
       extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::smallint,
       level, count(*)
  FROM ratings
 GROUP BY 1, 2, 3, 4, 5, 6;

-- 差评 and their reasons by department and time; a device's newest rating.
CREATE INDEX ratings_department_at ON ratings (hall_id, department_id, at);
CREATE INDEX ratings_device_at ON ratings (device_id, at);
CREATE INDEX problems_department ON problems (hall_id, department_id, recorded_at);

-- What a device reports with each push (src/sync/report-protocol.ts DeviceHealth).
ALTER TABLE devices
  ADD COLUMN storage_usage bigint,
  ADD COLUMN storage_quota bigint,
  ADD COLUMN storage_persisted boolean,
  ADD COLUMN app_version text,
  ADD COLUMN health_at timestamptz;

-- Service items (办事事项) of departments, projected from ref.serviceItemSaved.
CREATE TABLE service_items (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  department_id text NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  name_en text,
  sort integer NOT NULL,
  active boolean NOT NULL,
  version_hlc text NOT NULL,
  version_id text NOT NULL
);
CREATE INDEX service_items_hall ON service_items (hall_id, department_id);
`,
  },
  {
    version: 5,
    sql: `
-- The console's figures, faster. The dashboard's 差评 reasons and comments: only the poor ratings
-- of a period are read, for the whole hall or one department, from the index alone, where the
-- ratings of the period number hundreds of thousands.
CREATE INDEX ratings_poor_at ON ratings (hall_id, at) INCLUDE (department_id, reasons, comment)
  WHERE level IN ('dissatisfied', 'very_dissatisfied');
CREATE INDEX ratings_poor_department_at ON ratings (hall_id, department_id, at)
  INCLUDE (reasons, comment)
  WHERE level IN ('dissatisfied', 'very_dissatisfied');

-- The dashboard never splits a department by window: the same counts per department, hall-local
-- day, hour and level are a tenth of the rows for a month, kept the same way as rating_rollup.
CREATE TABLE rating_rollup_department (
  hall_id text NOT NULL,
  department_id text NOT NULL,
  day date NOT NULL,
  hour smallint NOT NULL,
  level text NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (hall_id, department_id, day, hour, level)
);
CREATE INDEX rating_rollup_department_hall_day ON rating_rollup_department (hall_id, day);

CREATE FUNCTION rating_rollup_department_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rating_rollup_department (hall_id, department_id, day, hour, level, n)
  SELECT hall_id, department_id,
         (at AT TIME ZONE 'Asia/Shanghai')::date,
         extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::smallint,
         level, count(*)
    FROM added
   GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (hall_id, department_id, day, hour, level)
  DO UPDATE SET n = rating_rollup_department.n + excluded.n;
  RETURN NULL;
END
$$;
CREATE TRIGGER ratings_rollup_department AFTER INSERT ON ratings
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rating_rollup_department_add();

INSERT INTO rating_rollup_department (hall_id, department_id, day, hour, level, n)
SELECT hall_id, department_id, day, hour, level, sum(n)
  FROM rating_rollup
 GROUP BY 1, 2, 3, 4, 5;

-- What the figures read of a problem's folded state, kept beside it so that counting a month's
-- problems does not take every state apart: the hall-local day its deadlines count from (of the
-- recording's hlc, UTC+8), when it was done (rectified, verified or closed) and rectified, whether
-- it was closed, and whether its citizen was reached on a call-back (回访).
ALTER TABLE problems
  ADD COLUMN due_from_day date GENERATED ALWAYS AS (
    make_date(substr(coalesce(recorded_hlc, state ->> 'recordedHlc'), 1, 4)::int,
              substr(coalesce(recorded_hlc, state ->> 'recordedHlc'), 6, 2)::int,
              substr(coalesce(recorded_hlc, state ->> 'recordedHlc'), 9, 2)::int)
    + CASE WHEN substr(coalesce(recorded_hlc, state ->> 'recordedHlc'), 12, 2)::int >= 16
           THEN 1 ELSE 0 END) STORED,
  ADD COLUMN done_at_ms double precision GENERATED ALWAYS AS (
    coalesce((state ->> 'rectifiedAtMs')::double precision,
             (state ->> 'verifiedAtMs')::double precision,
             (state ->> 'closedAtMs')::double precision)) STORED,
  ADD COLUMN rectified_at_ms double precision GENERATED ALWAYS AS (
    coalesce((state ->> 'rectifiedAtMs')::double precision,
             (state ->> 'verifiedAtMs')::double precision)) STORED,
  ADD COLUMN closed boolean GENERATED ALWAYS AS ((state ->> 'closedAtMs') IS NOT NULL) STORED,
  ADD COLUMN called_back boolean GENERATED ALWAYS AS (
    coalesce(state -> 'callBacks' @> '[{"reached": true}]', false)) STORED;
-- A month's problems of the hall, counted from the index alone.
CREATE INDEX problems_figures ON problems (hall_id, recorded_at)
  INCLUDE (department_id, source, status, due_from_day, done_at_ms, rectified_at_ms, closed,
           called_back)
  WHERE state IS NOT NULL;
`,
  },
  {
    version: 6,
    sql: `
-- The windows an evaluator was bound to, from an instant on: its enrollment's window, then one row
-- per binding the console made, so ratings it took before a change still count for the old window.
CREATE TABLE device_bindings (
  device_id text NOT NULL REFERENCES devices (id),
  window_id text NOT NULL,
  bound_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, bound_at)
);

-- Bindings made before this version were kept as enrollment rows with a marker code hash.
INSERT INTO device_bindings (device_id, window_id, bound_at)
SELECT DISTINCT ON (device_id, used_at) device_id, window_id, used_at
  FROM enrollments
 WHERE code_hash LIKE 'bound:%' AND device_id IS NOT NULL AND window_id IS NOT NULL
 ORDER BY device_id, used_at, code_hash DESC;
DELETE FROM enrollments WHERE code_hash LIKE 'bound:%';
`,
  },
  {
    version: 7,
    sql: `
-- Trust. A device's public key (ECDSA P-256, SPKI, base64url), registered at enrollment: every
-- request the device signs with its non-extractable private key is checked against it, so a token
-- copied to another machine cannot push.
ALTER TABLE devices ADD COLUMN public_key text;

-- Where a citizen's rating came from, as a keyed hash of the address (never the address itself),
-- for the console's burst evidence.
ALTER TABLE ratings ADD COLUMN address_hash text;

-- Presses of an evaluator that came too soon after its last counted rating: kept for audit, never
-- counted (the figures read only ratings).
CREATE TABLE rating_extras (
  event_id text PRIMARY KEY REFERENCES events (id),
  hall_id text NOT NULL,
  device_id text NOT NULL,
  window_id text NOT NULL,
  department_id text NOT NULL,
  level text NOT NULL,
  -- The counted rating it repeated.
  repeat_of text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL,
  received_at timestamptz NOT NULL
);
CREATE INDEX rating_extras_hall_at ON rating_extras (hall_id, at);

-- Bursts the console must look at: many ratings from one phone or address, or an evaluator rating
-- faster than a window serves citizens. Flagged with their evidence, never deleted; an
-- administrator dismisses a flag with a note or keeps it.
CREATE TABLE rating_flags (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  -- phone_burst, address_burst, evaluator_burst, rate_limited
  kind text NOT NULL,
  -- The phone id, address hash or device id the burst came from.
  subject text NOT NULL,
  window_id text,
  first_at timestamptz NOT NULL,
  last_at timestamptz NOT NULL,
  n integer NOT NULL,
  -- Rating ids and whatever else shows the burst.
  evidence jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  reviewed_at timestamptz,
  reviewed_by text,
  review_note text,
  UNIQUE (hall_id, kind, subject, first_at)
);
CREATE INDEX rating_flags_open ON rating_flags (hall_id, created_at) WHERE reviewed_at IS NULL;

-- A citizen's phone number left for the call-back of a 差评: encrypted (AES-256-GCM under a key
-- outside the database), never in the event log, erased when the problem closes.
CREATE TABLE callback_contacts (
  rating_id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  key_id text NOT NULL,
  iv bytea NOT NULL,
  ciphertext bytea NOT NULL,
  created_at timestamptz NOT NULL,
  erased_at timestamptz
);

-- Failed console logins per user name and per address, across server processes.
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  first_failed_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- 暗访: when the console published the inspection; until then its inspector is not shown to the
-- inspected department.
ALTER TABLE walks ADD COLUMN published_at timestamptz;
`,
  },
  {
    version: 8,
    sql: `
-- Signed device requests: the nonces seen, so a request replayed within the signature window
-- (a day either side of the server's time) is refused, across every server process. A nonce is
-- kept only while a request carrying its signed time could still be accepted; pruned by that time.
CREATE TABLE device_nonces (
  device_id text NOT NULL,
  nonce text NOT NULL,
  signed_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_nonces_signed_at ON device_nonces (signed_at);
`,
  },
  {
    version: 9,
    sql: `
-- Rating integrity. The public endpoint's limits count the phone ratings taken per address and per
-- window over the last minutes (server time), and burst detection reads one address's ratings.
CREATE INDEX ratings_address_received ON ratings (address_hash, received_at)
  WHERE address_hash IS NOT NULL;
CREATE INDEX ratings_window_phone_received ON ratings (window_id, received_at)
  WHERE phone_id IS NOT NULL;
-- A phone's ratings across windows, for phone bursts.
CREATE INDEX ratings_phone_at_all ON ratings (phone_id, at) WHERE phone_id IS NOT NULL;

-- The administrator's judgement when reviewing a flag: kept (the ratings stand) or fraud (刷评).
-- The ratings stay counted either way; the verdict is for the people who read the figures.
ALTER TABLE rating_flags ADD COLUMN verdict text;
`,
  },
  {
    version: 10,
    sql: `
-- Every time an administrator revealed a citizen's call-back number: who and when. The number
-- itself is never written here.
CREATE TABLE callback_reveals (
  rating_id text NOT NULL REFERENCES callback_contacts (rating_id),
  hall_id text NOT NULL REFERENCES halls (id),
  admin_id text NOT NULL,
  revealed_at timestamptz NOT NULL
);
CREATE INDEX callback_reveals_rating ON callback_reveals (rating_id, revealed_at);
`,
  },
  {
    version: 11,
    sql: `
-- Both rating rollups kept by one statement trigger: the rows an insert adds are grouped once (by
-- window, hall-local day and hour, and level), and the per-department counts are summed from
-- that grouping instead of grouping the rows a second time. The counts already kept are the same
-- either way; nothing is recomputed.
CREATE OR REPLACE FUNCTION rating_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH g AS (
    SELECT hall_id, department_id, window_id,
           (at AT TIME ZONE 'Asia/Shanghai')::date AS day,
           extract(hour FROM at AT TIME ZONE 'Asia/Shanghai')::smallint AS hour,
           level, count(*) AS n
      FROM added
     GROUP BY 1, 2, 3, 4, 5, 6
  ), by_window AS (
    INSERT INTO rating_rollup (hall_id, department_id, window_id, day, hour, level, n)
    SELECT hall_id, department_id, window_id, day, hour, level, n FROM g
    ON CONFLICT (hall_id, department_id, day, window_id, hour, level)
    DO UPDATE SET n = rating_rollup.n + excluded.n
  )
  INSERT INTO rating_rollup_department (hall_id, department_id, day, hour, level, n)
  SELECT hall_id, department_id, day, hour, level, sum(n) FROM g GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (hall_id, department_id, day, hour, level)
  DO UPDATE SET n = rating_rollup_department.n + excluded.n;
  RETURN NULL;
END
$$;
DROP TRIGGER ratings_rollup_department ON ratings;
DROP FUNCTION rating_rollup_department_add();
`,
  },
  {
    version: 12,
    sql: `
-- The ticket and phone lookups only ever look for a value, and an evaluator's ratings carry no
-- phone and mostly no ticket: these two indexes keep only the rows that have one, so a rating
-- from a kiosk writes two index entries fewer.
CREATE INDEX ratings_ticket_given ON ratings (hall_id, ticket) WHERE ticket IS NOT NULL;
DROP INDEX ratings_ticket;
CREATE INDEX ratings_phone_window ON ratings (phone_id, window_id, at) WHERE phone_id IS NOT NULL;
DROP INDEX ratings_phone;
`,
  },
];

/** Arbitrary constant key of the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_270_001;

/**
 * Apply the migrations not yet recorded in `schema_migrations`, in order, in one transaction.
 * Safe to run from several processes at once: they queue on an advisory lock.
 * Returns the versions applied by this call.
 */
export async function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      applied.push(m.version);
    }
    return applied;
  });
}
