import CamindexCore
import CamindexStore
import Testing

/// What a GB/T 28181 device says it keeps: each answer replaces what it said of its range only,
/// and kept footage answers see the change.
struct DeviceRecordingTests {
    let store: Store
    init() throws { store = try Store.inMemory() }

    @Test func anAnswerReplacesItsRangeOnly() throws {
        let h: Int64 = 3_600_000
        let day = Interval(startMs: 0, endMs: 24 * h)
        try store.replaceDeviceRecordings(cameraID: "c", device: "d", range: day, spans: [Interval(startMs: 8 * h, endMs: 12 * h), Interval(startMs: 20 * h, endMs: 30 * h)])
        // Clipped to the range asked.
        #expect(try store.deviceRecordings(cameraIDs: ["c"], range: day)["c"] == [Interval(startMs: 8 * h, endMs: 12 * h), Interval(startMs: 20 * h, endMs: 24 * h)])
        let before = try #require(try store.footageGenerations(range: day, gapMs: 0))
        // 09:00–10:00 asked again, the device lists nothing there: a hole, the rest kept.
        try store.replaceDeviceRecordings(cameraID: "c", device: "d", range: Interval(startMs: 9 * h, endMs: 10 * h), spans: [])
        #expect(try store.deviceRecordings(cameraIDs: ["c"], range: day)["c"]
                == [Interval(startMs: 8 * h, endMs: 9 * h), Interval(startMs: 10 * h, endMs: 12 * h), Interval(startMs: 20 * h, endMs: 24 * h)])
        #expect(try store.footageGenerations(range: day, gapMs: 0) != before, "kept answers are read again")
        #expect(try store.deviceRecordings(cameraIDs: ["other"], range: day).isEmpty)
    }
}
