/// What a county publishes to a province: the rows of its store that changed since the
/// province last applied a change of this county, as plain column values. The province
/// applies each change as the row's current state (present: replace; absent: delete), so a
/// change applied twice is applied once.
public enum PublishedTable: String, Sendable, CaseIterable {
    case region, camera, segment, footageWindow = "footage_window", liveWindow = "live_window",
         cameraState = "camera_state", probe, heartbeat = "daemon_cycle"
}

/// A column's value as the county store holds it.
public enum FieldValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One changed row: its table and key, and its columns now (nil: the row is gone). A
/// segment carries its runs (the continuous pieces of the file), replaced with it.
public struct PublishedChange: Sendable {
    public var seq: Int64
    public var table: PublishedTable
    /// The key: a text part (a code, a camera ID) and an integer part (a start time, a row
    /// ID; 0 when the key has none).
    public var key: String
    public var key2: Int64
    public var columns: [String: FieldValue]?
    public var runs: [[String: FieldValue]]

    public init(seq: Int64, table: PublishedTable, key: String, key2: Int64, columns: [String: FieldValue]?, runs: [[String: FieldValue]] = []) {
        self.seq = seq; self.table = table; self.key = key; self.key2 = key2; self.columns = columns; self.runs = runs
    }
}

/// A batch of changes of one county, in sequence order, read from one snapshot of its store.
public struct PublishBatch: Sendable {
    public var county: String
    public var changes: [PublishedChange]
    /// The last sequence number the batch covers: the province's new mark once applied.
    public var lastSeq: Int64
    /// The store's bounds for overlap scans (longest run, longest segment).
    public var maxRunMs: Int64
    public var maxSegmentMs: Int64

    public init(county: String, changes: [PublishedChange], lastSeq: Int64, maxRunMs: Int64, maxSegmentMs: Int64) {
        self.county = county; self.changes = changes; self.lastSeq = lastSeq; self.maxRunMs = maxRunMs; self.maxSegmentMs = maxSegmentMs
    }
}
