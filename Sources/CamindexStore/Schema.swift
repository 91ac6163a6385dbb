import CamindexCore
import Foundation
import GRDB

/// The schema, as numbered migrations. A shipped migration never changes: add a new one.
enum Schema {
    /// Triggers raising footage_generation's counter of the UTC day each changed row of
    /// `table` starts on (v15).
    static func countFootageChanges(of table: String, _ db: Database) throws {
        // Day numbers by floor division: SQLite's integer division truncates toward zero.
        func day(_ row: String) -> String {
            "(\(row).start_ms - ((\(row).start_ms % 86400000) + 86400000) % 86400000) / 86400000"
        }
        func bump(_ row: String) -> String {
            """
            INSERT INTO footage_generation (day, n) SELECT \(day(row)), 1 WHERE \(row).start_ms IS NOT NULL
                ON CONFLICT (day) DO UPDATE SET n = n + 1;
            """
        }
        for (event, rows) in [("insert", ["NEW"]), ("update", ["OLD", "NEW"]), ("delete", ["OLD"])] {
            try db.execute(sql: """
                CREATE TRIGGER footage_generation_\(table)_\(event) AFTER \(event.uppercased()) ON \(table) BEGIN
                \(rows.map(bump).joined(separator: "\n"))
                END;
                """)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: registry, segments, runs, windows") { db in
            // Administrative divisions; the parent is the code's prefix (6 → 9 → 12 digits).
            try db.execute(sql: """
                CREATE TABLE region (
                    code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    level INTEGER NOT NULL CHECK (level IN (6, 9, 12)),
                    parent_code TEXT REFERENCES region(code) ON DELETE RESTRICT
                );
                CREATE INDEX region_name ON region(name);
                CREATE INDEX region_parent ON region(parent_code);

                -- The registry. url holds credentials in clear: only the registry keeps them.
                CREATE TABLE camera (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    region_code TEXT NOT NULL REFERENCES region(code) ON DELETE RESTRICT,
                    url TEXT,
                    recordings TEXT,
                    lat REAL,
                    lon REAL,
                    timezone TEXT NOT NULL,
                    path_pattern TEXT,
                    path_timezone TEXT,
                    enabled BOOLEAN NOT NULL DEFAULT 1,
                    source TEXT,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX camera_region ON camera(region_code);

                -- One row per segment file. A file that could not be indexed keeps a row with
                -- its error, so it is reported and not retried until it changes.
                -- keyframes: zig-zag varint deltas of ms offsets from start_ms.
                CREATE TABLE segment (
                    id INTEGER PRIMARY KEY,
                    camera_id TEXT NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ms INTEGER NOT NULL,
                    indexed_at_ms INTEGER NOT NULL,
                    error TEXT,
                    start_ms INTEGER,
                    end_ms INTEGER,
                    start_source TEXT CHECK (start_source IN ('path', 'creation_time', 'mtime')),
                    container TEXT,
                    codec TEXT,
                    width INTEGER,
                    height INTEGER,
                    fps REAL,
                    first_pts_ms INTEGER,
                    keyframe_count INTEGER,
                    keyframes BLOB,
                    method TEXT CHECK (method IN ('index', 'scan')),
                    verified BOOLEAN NOT NULL DEFAULT 0,
                    truncated BOOLEAN NOT NULL DEFAULT 0,
                    damaged_keyframes INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (camera_id, path)
                );
                CREATE INDEX segment_camera_start ON segment(camera_id, start_ms);

                -- Continuous pieces of a segment (a timestamp jump splits a file), wall clock.
                CREATE TABLE footage_run (
                    segment_id INTEGER NOT NULL REFERENCES segment(id) ON DELETE CASCADE,
                    camera_id TEXT NOT NULL,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    verified BOOLEAN NOT NULL
                );
                CREATE INDEX footage_run_camera_start ON footage_run(camera_id, start_ms);
                CREATE INDEX footage_run_segment ON footage_run(segment_id);

                -- Availability: the union of a camera's runs, holes up to the store tolerance
                -- bridged, cut at UTC midnight so no row spans more than a day (overlap queries
                -- bound their scan with that).
                CREATE TABLE footage_window (
                    camera_id TEXT NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    verified BOOLEAN NOT NULL,
                    PRIMARY KEY (camera_id, start_ms)
                ) WITHOUT ROWID;

                -- Store-wide figures: longest run and segment, for bounded overlap queries.
                CREATE TABLE store_meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v2: live probes, camera state, online windows, daemon heartbeat") { db in
            try db.execute(sql: """
                -- Probe history: every full probe, and every light probe that failed or changed
                -- a camera's state (a county's successful light probes would be millions a day).
                CREATE TABLE probe (
                    id INTEGER PRIMARY KEY,
                    camera_id TEXT NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    at_ms INTEGER NOT NULL,
                    depth TEXT NOT NULL CHECK (depth IN ('light', 'full')),
                    ok BOOLEAN NOT NULL,
                    error TEXT,
                    message TEXT,
                    duration_ms INTEGER NOT NULL,
                    codec TEXT,
                    profile TEXT,
                    width INTEGER,
                    height INTEGER,
                    fps REAL,
                    bitrate_kbps REAL,
                    keyframe_interval_s REAL,
                    first_keyframe_ms INTEGER,
                    clock_offset_s REAL
                );
                CREATE INDEX probe_camera_at ON probe(camera_id, at_ms);

                -- Where each probed camera stands now.
                CREATE TABLE camera_state (
                    camera_id TEXT PRIMARY KEY NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    state TEXT NOT NULL CHECK (state IN ('online', 'offline')),
                    since_ms INTEGER NOT NULL,
                    last_probe_ms INTEGER NOT NULL,
                    last_depth TEXT NOT NULL,
                    last_ok BOOLEAN NOT NULL,
                    last_error TEXT,
                    last_message TEXT,
                    last_duration_ms INTEGER NOT NULL,
                    last_full_probe_id INTEGER REFERENCES probe(id) ON DELETE SET NULL,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    -- start of the online window the last successful probe extended
                    open_window_start_ms INTEGER
                ) WITHOUT ROWID;

                -- Live availability: from the first to the last of consecutive successful probes.
                CREATE TABLE live_window (
                    camera_id TEXT NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    PRIMARY KEY (camera_id, start_ms)
                ) WITHOUT ROWID;

                -- The daemon's heartbeat: one row per probe interval.
                CREATE TABLE daemon_cycle (
                    id INTEGER PRIMARY KEY,
                    pid INTEGER NOT NULL,
                    started_ms INTEGER NOT NULL,
                    ended_ms INTEGER NOT NULL,
                    cameras INTEGER NOT NULL,
                    probes INTEGER NOT NULL,
                    probe_failures INTEGER NOT NULL,
                    files_indexed INTEGER NOT NULL,
                    files_failed INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v3: index of files that failed") { db in
            // Health checks count failed files every minute: without this, a scan of every segment.
            try db.execute(sql: "CREATE INDEX segment_failed ON segment(camera_id) WHERE error IS NOT NULL")
        }
        m.registerMigration("v4: timestamps not believed, per segment") { db in
            // Packets whose times the file's other packets did not agree with (left out of its
            // runs and keyframes), plus one when the segment's extent was clipped to its mtime or
            // to the longest segment allowed. Rows indexed before count 0.
            try db.execute(sql: "ALTER TABLE segment ADD COLUMN bad_timestamps INTEGER NOT NULL DEFAULT 0")
        }
        m.registerMigration("v5: append-only audit trail") { db in
            try db.execute(sql: """
                -- Who did what with the index, hash-chained: each row carries the SHA-256 of its
                -- content and of the previous row. Triggers refuse UPDATE and DELETE; retention
                -- never touches it. arguments and cameras are JSON arrays.
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at_ms INTEGER NOT NULL,
                    user TEXT NOT NULL,
                    command TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    reason TEXT,
                    cameras TEXT NOT NULL,
                    result TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_at ON audit(at_ms);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
                """)
        }
        m.registerMigration("v6: stalled timestamps, per segment") { db in
            // Packets whose timestamps hardly advanced (a recorder after its source restarted)
            // and were re-timed from the frame duration: the segment's times are low confidence.
            try db.execute(sql: "ALTER TABLE segment ADD COLUMN stalled_timestamps INTEGER NOT NULL DEFAULT 0")
        }
        m.registerMigration("v7: index of unverified runs") { db in
            // Window upkeep asks whether a window holds an unverified run without reading the
            // window's verified runs (its cost must not grow with a camera's gapless history).
            try db.execute(sql: "CREATE INDEX footage_run_unverified ON footage_run(camera_id, start_ms) WHERE verified = 0")
        }
        m.registerMigration("v8: segment starts chained to the previous file, MP4s recovered without moov") { db in
            // start_source gains 'chained' (see SegmentRecord.StartSource), method 'recovered'
            // (keyframes found in the mdat of an MP4 whose recorder died before writing its moov,
            // timed from the frame rate). SQLite cannot alter a CHECK, so the table is rebuilt (its rows keep their ids: footage_run points at
            // them); the migrator runs this with foreign keys off and checks them after.
            let columns = """
                id, camera_id, path, size, mtime_ms, indexed_at_ms, error, start_ms, end_ms, start_source, container, codec,
                width, height, fps, first_pts_ms, keyframe_count, keyframes, method, verified, truncated, damaged_keyframes,
                bad_timestamps, stalled_timestamps
                """
            try db.execute(sql: """
                CREATE TABLE segment_v8 (
                    id INTEGER PRIMARY KEY,
                    camera_id TEXT NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    path TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ms INTEGER NOT NULL,
                    indexed_at_ms INTEGER NOT NULL,
                    error TEXT,
                    start_ms INTEGER,
                    end_ms INTEGER,
                    start_source TEXT CHECK (start_source IN ('path', 'chained', 'creation_time', 'mtime')),
                    container TEXT,
                    codec TEXT,
                    width INTEGER,
                    height INTEGER,
                    fps REAL,
                    first_pts_ms INTEGER,
                    keyframe_count INTEGER,
                    keyframes BLOB,
                    method TEXT CHECK (method IN ('index', 'scan', 'recovered')),
                    verified BOOLEAN NOT NULL DEFAULT 0,
                    truncated BOOLEAN NOT NULL DEFAULT 0,
                    damaged_keyframes INTEGER NOT NULL DEFAULT 0,
                    bad_timestamps INTEGER NOT NULL DEFAULT 0,
                    stalled_timestamps INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (camera_id, path)
                );
                INSERT INTO segment_v8 (\(columns)) SELECT \(columns) FROM segment;
                DROP TABLE segment;
                ALTER TABLE segment_v8 RENAME TO segment;
                CREATE INDEX segment_camera_start ON segment(camera_id, start_ms);
                CREATE INDEX segment_failed ON segment(camera_id) WHERE error IS NOT NULL;
                """)
        }
        m.registerMigration("v9: compact keyframe blobs") { db in
            // segment.keyframes was one zig-zag varint delta per keyframe (~2 bytes each, ~40 GB
            // for a county's 90 days at a 2 s GOP); it becomes KeyframeBlob's versioned
            // run-length format, which decodes to the same offsets. The blob's version byte keeps
            // this step's output readable by later camindex. Batches by id, so that no row is
            // read again after its update.
            let update = try db.makeStatement(sql: "UPDATE segment SET keyframes = ? WHERE id = ?")
            var last: Int64 = 0
            while true {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT id, keyframes FROM segment WHERE id > ? AND length(keyframes) > 0 ORDER BY id LIMIT 10000
                    """, arguments: [last])
                guard let end = rows.last else { break }
                for row in rows {
                    let id: Int64 = row[0], old: Data = row[1]
                    try update.execute(arguments: [Data(KeyframeBlob.encode(KeyframeBlob.decodeLegacy(old))), id])
                }
                last = end[0]
            }
        }
        m.registerMigration("v10: picture quality per probe") { db in
            try db.execute(sql: """
                -- Video quality diagnosis on full probes: a JSON array of the faults found
                -- ([{"fault", "measured", "threshold"}], [] when in good order); NULL when no
                -- picture was checked (a failed probe, a keyframe that did not decode, rows before).
                ALTER TABLE probe ADD COLUMN quality TEXT;

                -- Per-camera thresholds that differ from the defaults: a JSON object, name → value.
                ALTER TABLE camera ADD COLUMN quality_thresholds TEXT;

                -- The latest picture of each camera: the 32x18 luma signature of its last full
                -- probe's keyframe (the next probe's frozen-picture check), and small JPEGs of
                -- the last keyframe in good order and the last faulty one, for a technician.
                CREATE TABLE camera_picture (
                    camera_id TEXT PRIMARY KEY NOT NULL REFERENCES camera(id) ON DELETE CASCADE,
                    signature BLOB,
                    signature_at_ms INTEGER,
                    good_jpeg BLOB,
                    good_at_ms INTEGER,
                    faulty_jpeg BLOB,
                    faulty_at_ms INTEGER,
                    faulty_quality TEXT
                );
                """)
        }
        m.registerMigration("v11: publish outbox") { db in
            try db.execute(sql: """
                -- What changed since a province last took this county's rows (camindex publish):
                -- one entry per published row, keyed by table and key, whose seq is raised at
                -- each change of the row. The outbox holds at most one entry per row plus the
                -- deletions not yet published; seq comes from store_meta 'outbox_seq', raised in
                -- the writing transaction, so a later commit always has a higher seq.
                CREATE TABLE publish_outbox (
                    tbl TEXT NOT NULL,
                    k1 TEXT NOT NULL,
                    k2 INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
                    PRIMARY KEY (tbl, k1, k2)
                ) WITHOUT ROWID;
                CREATE INDEX publish_outbox_seq ON publish_outbox(seq);
                -- The provinces this store publishes to and the last seq each confirmed:
                -- a deletion is forgotten once every one of them has applied it.
                CREATE TABLE publish_target (
                    target TEXT PRIMARY KEY NOT NULL,
                    last_seq INTEGER NOT NULL
                );
                INSERT INTO store_meta (key, value) VALUES ('outbox_seq', 0) ON CONFLICT (key) DO NOTHING;
                """)
            // Table, and the SQL of its key's text and integer parts.
            let published: [(String, String, String)] = [
                ("region", "code", "0"), ("camera", "id", "0"), ("segment", "camera_id", "id"),
                ("footage_window", "camera_id", "start_ms"), ("live_window", "camera_id", "start_ms"),
                ("camera_state", "camera_id", "0"), ("probe", "camera_id", "id"), ("daemon_cycle", "''", "id"),
            ]
            func entry(_ table: String, _ k1: String, _ k2: String, _ op: String) -> String {
                """
                UPDATE store_meta SET value = value + 1 WHERE key = 'outbox_seq';
                INSERT INTO publish_outbox (tbl, k1, k2, seq, op)
                    VALUES ('\(table)', \(k1), \(k2), (SELECT value FROM store_meta WHERE key = 'outbox_seq'), '\(op)')
                    ON CONFLICT (tbl, k1, k2) DO UPDATE SET seq = excluded.seq, op = excluded.op;
                """
            }
            for (table, k1, k2) in published {
                func new(_ c: String) -> String { c.hasPrefix("'") || c == "0" ? c : "NEW." + c }
                func old(_ c: String) -> String { c.hasPrefix("'") || c == "0" ? c : "OLD." + c }
                // An update may change the key: the old key is gone, the new one present.
                try db.execute(sql: """
                    CREATE TRIGGER publish_\(table)_insert AFTER INSERT ON \(table) BEGIN
                    \(entry(table, new(k1), new(k2), "upsert"))
                    END;
                    CREATE TRIGGER publish_\(table)_update AFTER UPDATE ON \(table) BEGIN
                    \(entry(table, old(k1), old(k2), "delete"))
                    \(entry(table, new(k1), new(k2), "upsert"))
                    END;
                    CREATE TRIGGER publish_\(table)_delete AFTER DELETE ON \(table) BEGIN
                    \(entry(table, old(k1), old(k2), "delete"))
                    END;
                    INSERT INTO publish_outbox (tbl, k1, k2, seq, op)
                        SELECT '\(table)', \(k1), \(k2), (SELECT value FROM store_meta WHERE key = 'outbox_seq') + row_number() OVER (), 'upsert'
                        FROM \(table);
                    UPDATE store_meta SET value = (SELECT coalesce(max(seq), 0) FROM publish_outbox) WHERE key = 'outbox_seq';
                    """)
            }
        }
        m.registerMigration("v12: audit trail head anchored in store_meta") { db in
            // The chain alone cannot show rows removed from its end: its row count and its last
            // row's hash are kept outside the table, written with each row (the hash prefixed, so
            // that the INTEGER column keeps it as text).
            try db.execute(sql: """
                INSERT INTO store_meta (key, value) SELECT 'audit_rows', count(*) FROM audit;
                INSERT INTO store_meta (key, value) SELECT 'audit_head', 'sha256:' || hash FROM audit ORDER BY id DESC LIMIT 1;
                """)
        }
        m.registerMigration("v13: users and tokens of the HTTP API") { db in
            // Passwords as scrypt hashes, tokens as SHA-256 digests: nothing here opens a session
            // if the file is copied. Regions: the codes a user is limited to, space-separated.
            try db.execute(sql: """
                CREATE TABLE app_user (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('police', 'technician', 'officer', 'admin')),
                    regions TEXT NOT NULL DEFAULT '',
                    password_hash TEXT NOT NULL,
                    disabled BOOLEAN NOT NULL DEFAULT 0,
                    created_at_ms INTEGER NOT NULL,
                    password_changed_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE app_token (
                    id TEXT PRIMARY KEY,
                    user_name TEXT NOT NULL REFERENCES app_user (name) ON DELETE CASCADE,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER
                );
                CREATE INDEX app_token_user ON app_token (user_name);
                """)
        }
        m.registerMigration("v14: sign-ins and sessions of the HTTP API") { db in
            // Failed sign-ins by name, for the lockout (kept 15 minutes); sessions by the SHA-256
            // of their cookie, with when they were last used (the idle expiry).
            try db.execute(sql: """
                CREATE TABLE app_login_failure (user_name TEXT NOT NULL, at_ms INTEGER NOT NULL);
                CREATE INDEX app_login_failure_user ON app_login_failure (user_name, at_ms);
                CREATE TABLE app_session (
                    token_sha256 TEXT PRIMARY KEY,
                    user_name TEXT NOT NULL REFERENCES app_user (name) ON DELETE CASCADE,
                    created_at_ms INTEGER NOT NULL,
                    last_seen_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX app_session_user ON app_session (user_name);
                """)
        }
        m.registerMigration("v15: change counters of the registry and of each day's footage") { db in
            // What a footage answer is read from, counted: an answer kept with the counters it
            // was read at is still the store's answer while they are unchanged. The registry's
            // counter is raised by any change of a region or camera; footage_generation has one
            // counter per UTC day (floor of start_ms / 86400000) for the rows of segment,
            // footage_run and footage_window that start on it: a read asks for the days from its
            // range's start less the longest row (store_meta) to its end.
            try db.execute(sql: """
                CREATE TABLE footage_generation (day INTEGER PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO store_meta (key, value) VALUES ('registry_generation', 0) ON CONFLICT (key) DO NOTHING;
                """)
            for table in ["region", "camera"] {
                for event in ["insert", "update", "delete"] {
                    try db.execute(sql: """
                        CREATE TRIGGER registry_generation_\(table)_\(event) AFTER \(event.uppercased()) ON \(table) BEGIN
                        UPDATE store_meta SET value = value + 1 WHERE key = 'registry_generation';
                        END;
                        """)
                }
            }
            for table in ["segment", "footage_run", "footage_window"] { try countFootageChanges(of: table, db) }
        }
        m.registerMigration("v16: SHA-256 of source files as exports read them") { db in
            // Kept by path while the file's size, mtime (ns) and inode are the ones hashed;
            // never published: the paths are this machine's.
            try db.execute(sql: """
                CREATE TABLE source_hash (
                    path TEXT PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    hashed_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v17: GB/T 28181 devices and their catalogs' channels") { db in
            // Devices and lower platforms registered over SIP: where they are and whether their
            // registration and keepalives hold. Channels: what the catalog said of each camera
            // beside the registry's fields (an inventory's fields win over a catalog's).
            try db.execute(sql: """
                CREATE TABLE gb_device (
                    id TEXT PRIMARY KEY NOT NULL,
                    address TEXT NOT NULL,
                    registered_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL,
                    last_keepalive_ms INTEGER,
                    keepalive_interval_ms INTEGER NOT NULL,
                    online BOOLEAN NOT NULL,
                    since_ms INTEGER NOT NULL,
                    reason TEXT,
                    catalog_at_ms INTEGER,
                    catalog_expected INTEGER,
                    catalog_received INTEGER
                ) WITHOUT ROWID;
                CREATE TABLE gb_channel (
                    camera_id TEXT PRIMARY KEY NOT NULL,
                    device_id TEXT NOT NULL,
                    parent_id TEXT,
                    manufacturer TEXT,
                    model TEXT,
                    civil_code TEXT,
                    status TEXT,
                    placed BOOLEAN NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX gb_channel_device ON gb_channel(device_id);
                """)
        }
        m.registerMigration("v18: footage GB/T 28181 devices keep (RecordInfo)") { db in
            // What a device answered for a camera over a queried range, replaced by its next
            // answer for that range: a span it no longer lists is a hole again.
            try db.execute(sql: """
                CREATE TABLE device_recording (
                    camera_id TEXT NOT NULL,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    device_id TEXT NOT NULL,
                    asked_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (camera_id, start_ms, end_ms)
                ) WITHOUT ROWID;
                """)
            // Kept footage answers are read from these rows too.
            try countFootageChanges(of: "device_recording", db)
        }
        m.registerMigration("v19: GB/T 28181 passwords per device") { db in
            // HA1 = MD5(id:realm:password), what a digest is checked with: not the password.
            try db.execute(sql: """
                CREATE TABLE gb_credential (
                    device_id TEXT PRIMARY KEY NOT NULL,
                    realm TEXT NOT NULL,
                    ha1 TEXT NOT NULL,
                    set_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v20: when GB/T 28181 devices were online") { db in
            // From a registration or keepalive after an offline spell to the last one before the
            // next: the online time of the device's channels in 在线率.
            try db.execute(sql: """
                CREATE TABLE gb_presence_window (
                    device_id TEXT NOT NULL,
                    start_ms INTEGER NOT NULL,
                    end_ms INTEGER NOT NULL,
                    PRIMARY KEY (device_id, start_ms)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v21: GB/T 28181 catalogs on demand, device clocks, the catalog's own fields") { db in
            // What the catalog said of a camera's name, position and region, kept beside the
            // registry's (`gb catalog --diff`); the device's clock from DeviceStatus (校时);
            // a shell's request for a catalog now, which the daemon's SIP side takes and answers.
            try db.execute(sql: """
                ALTER TABLE gb_channel ADD COLUMN name TEXT;
                ALTER TABLE gb_channel ADD COLUMN latitude REAL;
                ALTER TABLE gb_channel ADD COLUMN longitude REAL;
                ALTER TABLE gb_channel ADD COLUMN region_code TEXT;
                ALTER TABLE gb_device ADD COLUMN clock_offset_ms INTEGER;
                ALTER TABLE gb_device ADD COLUMN clock_at_ms INTEGER;
                CREATE TABLE gb_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    device_id TEXT NOT NULL,
                    asked_by TEXT NOT NULL,
                    asked_at_ms INTEGER NOT NULL,
                    taken_at_ms INTEGER,
                    done_at_ms INTEGER,
                    outcome TEXT
                );
                CREATE INDEX gb_request_open ON gb_request(done_at_ms, taken_at_ms);
                """)
        }
        return m
    }
}
