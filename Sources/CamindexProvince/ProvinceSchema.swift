import CamindexCore
import PostgresNIO

/// The province's schema, as numbered migrations (like the county store's): each runs in one
/// transaction with its row in `province_migration`; a shipped migration never changes. Every
/// table but `county_publish` holds the rows of many counties, tagged with the county code and
/// partitioned by it (`PARTITION BY LIST (county)`; a county's partitions are made when it
/// first publishes), so one server holds a province and the same layout can be spread over
/// machines by county. Column names are the county store's; integers are bigint.
enum ProvinceSchema {
    static let migrations: [(version: Int, name: String, statements: [String])] = [
        (1, "p1: counties, registry, segments, windows, live state, heartbeat", [
            """
            -- Per county: the last outbox sequence number applied (written in the same
            -- transaction as the rows), and the county store's bounds for overlap scans.
            CREATE TABLE county_publish (
                county text PRIMARY KEY,
                last_seq bigint NOT NULL DEFAULT 0,
                published_at timestamptz,
                max_run_ms bigint NOT NULL DEFAULT 0,
                max_segment_ms bigint NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE region (
                county text NOT NULL, code text NOT NULL, name text NOT NULL, level bigint NOT NULL, parent_code text,
                PRIMARY KEY (county, code)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX region_code ON region (code)",
            "CREATE INDEX region_name ON region (name)",
            """
            -- Cameras with redacted URLs only: passwords never leave the county.
            CREATE TABLE camera (
                county text NOT NULL, id text NOT NULL, name text NOT NULL, region_code text NOT NULL, url text, recordings text,
                lat double precision, lon double precision, timezone text NOT NULL, path_pattern text, path_timezone text,
                enabled boolean NOT NULL, source text, created_at_ms bigint NOT NULL, updated_at_ms bigint NOT NULL,
                PRIMARY KEY (county, id)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX camera_id ON camera (id)",
            "CREATE INDEX camera_region ON camera (region_code)",
            // Radius queries: a bounding box on this index, then the exact distance.
            "CREATE INDEX camera_position ON camera (lat, lon) WHERE lat IS NOT NULL AND lon IS NOT NULL",
            """
            -- Segment files with their keyframes (delta-encoded blob), so keyframe can name
            -- the county's file and offset; failed files keep their error.
            CREATE TABLE segment (
                county text NOT NULL, id bigint NOT NULL, camera_id text NOT NULL, path text NOT NULL, size bigint NOT NULL,
                mtime_ms bigint NOT NULL, indexed_at_ms bigint NOT NULL, error text, start_ms bigint, end_ms bigint,
                start_source text, container text, codec text, width bigint, height bigint, fps double precision,
                first_pts_ms bigint, keyframe_count bigint, keyframes bytea, method text, verified boolean NOT NULL,
                truncated boolean NOT NULL, damaged_keyframes bigint NOT NULL, bad_timestamps bigint NOT NULL,
                stalled_timestamps bigint NOT NULL,
                PRIMARY KEY (county, id)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX segment_camera_start ON segment (camera_id, start_ms)",
            "CREATE INDEX segment_failed ON segment (camera_id) WHERE error IS NOT NULL",
            """
            CREATE TABLE footage_run (
                county text NOT NULL, segment_id bigint NOT NULL, camera_id text NOT NULL, start_ms bigint NOT NULL,
                end_ms bigint NOT NULL, verified boolean NOT NULL
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX footage_run_segment ON footage_run (county, segment_id)",
            "CREATE INDEX footage_run_camera_start ON footage_run (camera_id, start_ms)",
            """
            -- Footage windows, cut at UTC midnight as in the county (scans bound by a day).
            CREATE TABLE footage_window (
                county text NOT NULL, camera_id text NOT NULL, start_ms bigint NOT NULL, end_ms bigint NOT NULL,
                verified boolean NOT NULL,
                PRIMARY KEY (county, camera_id, start_ms)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX footage_window_camera_start ON footage_window (camera_id, start_ms)",
            """
            CREATE TABLE live_window (
                county text NOT NULL, camera_id text NOT NULL, start_ms bigint NOT NULL, end_ms bigint NOT NULL,
                PRIMARY KEY (county, camera_id, start_ms)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX live_window_camera_start ON live_window (camera_id, start_ms)",
            """
            CREATE TABLE camera_state (
                county text NOT NULL, camera_id text NOT NULL, state text NOT NULL, since_ms bigint NOT NULL,
                last_probe_ms bigint NOT NULL, last_depth text NOT NULL, last_ok boolean NOT NULL, last_error text,
                last_message text, last_duration_ms bigint NOT NULL, last_full_probe_id bigint,
                consecutive_failures bigint NOT NULL, open_window_start_ms bigint,
                PRIMARY KEY (county, camera_id)
            ) PARTITION BY LIST (county)
            """,
            """
            -- Probe history as the county keeps it; the latest probe facts are in camera_state
            -- and the full probe it names.
            CREATE TABLE probe (
                county text NOT NULL, id bigint NOT NULL, camera_id text NOT NULL, at_ms bigint NOT NULL, depth text NOT NULL,
                ok boolean NOT NULL, error text, message text, duration_ms bigint NOT NULL, codec text, profile text,
                width bigint, height bigint, fps double precision, bitrate_kbps double precision,
                keyframe_interval_s double precision, first_keyframe_ms bigint, clock_offset_s double precision,
                PRIMARY KEY (county, id)
            ) PARTITION BY LIST (county)
            """,
            "CREATE INDEX probe_camera_at ON probe (camera_id, at_ms)",
            """
            -- Each county daemon's heartbeat.
            CREATE TABLE daemon_cycle (
                county text NOT NULL, id bigint NOT NULL, pid bigint NOT NULL, started_ms bigint NOT NULL,
                ended_ms bigint NOT NULL, cameras bigint NOT NULL, probes bigint NOT NULL, probe_failures bigint NOT NULL,
                files_indexed bigint NOT NULL, files_failed bigint NOT NULL,
                PRIMARY KEY (county, id)
            ) PARTITION BY LIST (county)
            """,
        ]),
        (2, "p2: picture quality per probe, per-camera thresholds", [
            // The county store's v10: the probe's verdicts and the camera's threshold overrides,
            // as the county's JSON text.
            "ALTER TABLE probe ADD COLUMN quality text",
            "ALTER TABLE camera ADD COLUMN quality_thresholds text",
        ]),
        (3, "p3: provinces and cities named by region add", [
            // Above the county: a province (2 digits) or city (4) belongs to no county, so it
            // cannot live in `region`, whose rows are the counties' own (keyed and partitioned
            // by county, replaced by each publish). A handful of rows, written by `region add`
            // on the province; the tree above the counties is derived from their codes, this
            // table only gives names.
            """
            CREATE TABLE region_above_county (
                code text PRIMARY KEY, name text NOT NULL, level bigint NOT NULL
            )
            """,
        ]),
        (4, "p4: time-range indexes for county and province scans, stalled segments", [
            // A county's cameras over a day (or the province's, for health): with the counties'
            // partitions pruned, the rows in the time range come from these and are joined to the
            // cameras, rather than an index probe per camera and partition.
            "CREATE INDEX footage_window_start ON footage_window (start_ms)",
            "CREATE INDEX segment_start ON segment (start_ms) WHERE error IS NULL",
            // health counts stalled files per camera: without it, a scan of every segment.
            "CREATE INDEX segment_stalled ON segment (camera_id) WHERE stalled_timestamps > 0",
        ]),
        (5, "p5: append-only audit trail of reads on the province", [
            // The county store's audit table (v5) for the reads asked of the province: the same
            // row shape and hash chain, rows refused change and removal by triggers. Not
            // partitioned: a read may span counties, and the counties' own trails stay theirs.
            """
            CREATE TABLE audit (
                id bigint PRIMARY KEY, at_ms bigint NOT NULL, "user" text NOT NULL, command text NOT NULL,
                arguments text NOT NULL, reason text, cameras text NOT NULL, result text NOT NULL,
                previous_hash text NOT NULL, hash text NOT NULL
            )
            """,
            "CREATE INDEX audit_at ON audit (at_ms)",
            """
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$
            """,
            "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
            // The head, kept outside the table and written with each row: rows removed from the
            // end leave the chain sound but short of it.
            "CREATE TABLE audit_head (one boolean PRIMARY KEY DEFAULT true CHECK (one), rows bigint NOT NULL, hash text NOT NULL)",
        ]),
        (6, "p6: users of the HTTP API serving the province", [
            // The county store's v13 and v14 tables: a server reads its users from the store it
            // serves. Hashes only.
            """
            CREATE TABLE app_user (
                name text PRIMARY KEY, role text NOT NULL, regions text NOT NULL, password_hash text NOT NULL,
                disabled boolean NOT NULL, created_at_ms bigint NOT NULL, password_changed_at_ms bigint NOT NULL
            )
            """,
            """
            CREATE TABLE app_token (
                id text PRIMARY KEY, user_name text NOT NULL REFERENCES app_user (name) ON DELETE CASCADE,
                token_sha256 text NOT NULL UNIQUE, created_at_ms bigint NOT NULL, expires_at_ms bigint
            )
            """,
            "CREATE TABLE app_login_failure (user_name text NOT NULL, at_ms bigint NOT NULL)",
            "CREATE INDEX app_login_failure_user ON app_login_failure (user_name, at_ms)",
            """
            CREATE TABLE app_session (
                token_sha256 text PRIMARY KEY, user_name text NOT NULL REFERENCES app_user (name) ON DELETE CASCADE,
                created_at_ms bigint NOT NULL, last_seen_ms bigint NOT NULL
            )
            """,
        ]),
        (7, "p7: change counters of each county's registry and footage days", [
            // As the county store's v15, per county (a county's publish never waits on
            // another's counter): raised by `apply` in the batch's transaction. Readers sum
            // them; counters only grow, so equal sums mean nothing changed.
            "ALTER TABLE county_publish ADD COLUMN registry_generation bigint NOT NULL DEFAULT 0",
            "CREATE TABLE footage_generation (county text NOT NULL, day bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (day, county))",
        ]),
    ]

    enum Kind { case integer, real, boolean, text, bytes }

    /// The columns publishing writes, per table (the county store's names), and the key
    /// columns its changes name: `key` (text part) and `key2` (integer part).
    struct Table {
        let name: String
        let key: String?
        let key2: String?
        let columns: [(String, Kind)]
    }

    static let tables: [PublishedTable: Table] = [
        .region: Table(name: "region", key: "code", key2: nil,
                       columns: [("code", .text), ("name", .text), ("level", .integer), ("parent_code", .text)]),
        .camera: Table(name: "camera", key: "id", key2: nil, columns: [
            ("id", .text), ("name", .text), ("region_code", .text), ("url", .text), ("recordings", .text), ("lat", .real), ("lon", .real),
            ("timezone", .text), ("path_pattern", .text), ("path_timezone", .text), ("enabled", .boolean), ("source", .text),
            ("created_at_ms", .integer), ("updated_at_ms", .integer), ("quality_thresholds", .text),
        ]),
        .segment: Table(name: "segment", key: nil, key2: "id", columns: [
            ("id", .integer), ("camera_id", .text), ("path", .text), ("size", .integer), ("mtime_ms", .integer), ("indexed_at_ms", .integer),
            ("error", .text), ("start_ms", .integer), ("end_ms", .integer), ("start_source", .text), ("container", .text), ("codec", .text),
            ("width", .integer), ("height", .integer), ("fps", .real), ("first_pts_ms", .integer), ("keyframe_count", .integer),
            ("keyframes", .bytes), ("method", .text), ("verified", .boolean), ("truncated", .boolean), ("damaged_keyframes", .integer),
            ("bad_timestamps", .integer), ("stalled_timestamps", .integer),
        ]),
        .footageWindow: Table(name: "footage_window", key: "camera_id", key2: "start_ms", columns: [
            ("camera_id", .text), ("start_ms", .integer), ("end_ms", .integer), ("verified", .boolean),
        ]),
        .liveWindow: Table(name: "live_window", key: "camera_id", key2: "start_ms", columns: [
            ("camera_id", .text), ("start_ms", .integer), ("end_ms", .integer),
        ]),
        .cameraState: Table(name: "camera_state", key: "camera_id", key2: nil, columns: [
            ("camera_id", .text), ("state", .text), ("since_ms", .integer), ("last_probe_ms", .integer), ("last_depth", .text),
            ("last_ok", .boolean), ("last_error", .text), ("last_message", .text), ("last_duration_ms", .integer),
            ("last_full_probe_id", .integer), ("consecutive_failures", .integer), ("open_window_start_ms", .integer),
        ]),
        .probe: Table(name: "probe", key: nil, key2: "id", columns: [
            ("id", .integer), ("camera_id", .text), ("at_ms", .integer), ("depth", .text), ("ok", .boolean), ("error", .text),
            ("message", .text), ("duration_ms", .integer), ("codec", .text), ("profile", .text), ("width", .integer), ("height", .integer),
            ("fps", .real), ("bitrate_kbps", .real), ("keyframe_interval_s", .real), ("first_keyframe_ms", .integer), ("clock_offset_s", .real),
            ("quality", .text),
        ]),
        .heartbeat: Table(name: "daemon_cycle", key: nil, key2: "id", columns: [
            ("id", .integer), ("pid", .integer), ("started_ms", .integer), ("ended_ms", .integer), ("cameras", .integer), ("probes", .integer),
            ("probe_failures", .integer), ("files_indexed", .integer), ("files_failed", .integer),
        ]),
    ]

    static let runColumns: [(String, Kind)] = [
        ("segment_id", .integer), ("camera_id", .text), ("start_ms", .integer), ("end_ms", .integer), ("verified", .boolean),
    ]

    /// Every partitioned table, for a new county's partitions.
    static let partitioned = ["region", "camera", "segment", "footage_run", "footage_window", "live_window", "camera_state", "probe", "daemon_cycle"]
}

extension ProvinceDatabase {
    /// Brings the schema up to date; refuses a database a newer camindex migrated. Two
    /// processes migrating at once take turns (an advisory lock).
    public func migrate() throws {
        try transaction {
            try execute("SELECT pg_advisory_xact_lock(72817)")
            try execute("CREATE TABLE IF NOT EXISTS province_migration (version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            let done = Set(try query("SELECT version FROM province_migration").map { try $0.decode(Int64.self) })
            let known = Set(ProvinceSchema.migrations.map { Int64($0.version) })
            if let newer = done.subtracting(known).max() {
                throw CamindexError.runtime("province \(url) was migrated by a newer camindex (migration \(newer)); upgrade camindex to use it",
                                            code: .storeNewer, value: url.description)
            }
            for m in ProvinceSchema.migrations where !done.contains(Int64(m.version)) {
                for statement in m.statements { try execute(statement) }
                try query("INSERT INTO province_migration (version, name) VALUES (\(Int64(m.version)), \(m.name))")
            }
        }
    }

    /// Whether the schema is there and not newer than this camindex: reads need no writes.
    func checkSchema() throws {
        let exists = try query("SELECT to_regclass('province_migration') IS NOT NULL").first.map { try $0.decode(Bool.self) } ?? false
        guard exists else {
            throw CamindexError.runtime("province \(url) has no camindex schema: publish a county to it first ('camindex publish --to URL')",
                                        code: .storeMissing, value: url.description)
        }
        let versions = try query("SELECT version FROM province_migration").map { try $0.decode(Int64.self) }
        if let newer = versions.max(), newer > Int64(ProvinceSchema.migrations.map(\.version).max() ?? 0) {
            throw CamindexError.runtime("province \(url) was migrated by a newer camindex (migration \(newer)); upgrade camindex to use it",
                                        code: .storeNewer, value: url.description)
        }
    }
}
