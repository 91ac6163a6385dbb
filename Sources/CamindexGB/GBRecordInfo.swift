import CamindexCore
import Foundation
import NIOCore

/// The ranges RecordInfo asks of a channel: whole local days, today's up to now, newest first
/// (a day's answer too large or too slow is asked again hour by hour).
public enum GBRecordPlan {
    public static func days(back: Int, now: Instant, zone: TimeZone) -> [Interval] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(now.ms) / 1000))
        return (0..<max(1, back)).compactMap { d -> Interval? in
            guard let start = calendar.date(byAdding: .day, value: -d, to: today),
                  let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
            let s = Instant(ms: Int64((start.timeIntervalSince1970 * 1000).rounded())), e = Instant(ms: min(now.ms, Int64((end.timeIntervalSince1970 * 1000).rounded())))
            return e > s ? Interval(s, e) : nil
        }
    }

    public static func hours(of range: Interval) -> [Interval] {
        stride(from: range.start.ms, to: range.end.ms, by: 3_600_000).map { Interval(startMs: $0, endMs: min($0 + 3_600_000, range.end.ms)) }
    }

    /// A camera whose day answer is this large is asked by the hour from then on: devices stall
    /// on big lists.
    public static let largeAnswer = 300

    /// GB/T 28181's local times (`2026-11-20T08:00:00`, some devices a space for the T).
    public static func time(_ text: String, zone: TimeZone) -> Instant? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        return f.date(from: String(t.prefix(19))).map { Instant(ms: Int64(($0.timeIntervalSince1970 * 1000).rounded())) }
    }

    public static func text(_ t: Instant, zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: Double(t.ms) / 1000))
    }
}

extension MANSCDP {
    /// The recordings of a RecordInfo answer packet, as spans in `zone`.
    public func recordSpans(zone: TimeZone) -> [Interval] {
        (root.child("RecordList")?.children ?? []).filter { $0.name.caseInsensitiveCompare("Item") == .orderedSame }.compactMap { e in
            guard let s = e.value("StartTime").flatMap({ GBRecordPlan.time($0, zone: zone) }),
                  let t = e.value("EndTime").flatMap({ GBRecordPlan.time($0, zone: zone) }), t > s else { return nil }
            return Interval(s, t)
        }
    }

    public static func recordInfoQuery(sn: Int, channel: String, range: Interval, zone: TimeZone) -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="GB2312"?>\r
            <Query>\r
            <CmdType>RecordInfo</CmdType>\r
            <SN>\(sn)</SN>\r
            <DeviceID>\(channel)</DeviceID>\r
            <StartTime>\(GBRecordPlan.text(range.start, zone: zone))</StartTime>\r
            <EndTime>\(GBRecordPlan.text(range.end, zone: zone))</EndTime>\r
            <Secrecy>0</Secrecy>\r
            <Type>all</Type>\r
            </Query>\r

            """.utf8)
    }
}

/// A counting semaphore for tasks: at most `n` holders at once.
actor Limiter {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ n: Int) { free = n }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

extension GBPlatform {
    struct RecordAnswer: Sendable {
        var items: [Interval]
        var expected: Int?
        /// List entries that came (an entry without readable times is no span).
        var received: Int
        var timedOut: Bool
        var complete: Bool { expected.map { received >= $0 } ?? false }
    }

    struct RecordQuery {
        var zone: TimeZone
        var expected: Int?
        var items: [Interval] = []
        var received = 0
        var continuation: CheckedContinuation<RecordAnswer, Never>
        var deadline: Task<Void, Never>?
    }

    func collectRecords(_ body: MANSCDP) {
        guard let sn = body.sn, var q = records[sn] else { return }
        if let sum = body.sumNum { q.expected = sum }
        q.items += body.recordSpans(zone: q.zone)
        q.received += body.root.child("RecordList")?.children.count ?? 0
        records[sn] = q
        if let expected = q.expected, q.received >= expected { finishRecords(sn, timedOut: false) }
    }

    func finishRecords(_ sn: Int, timedOut: Bool) {
        guard let q = records.removeValue(forKey: sn) else { return }
        q.deadline?.cancel()
        q.continuation.resume(returning: RecordAnswer(items: q.items, expected: q.expected, received: q.received, timedOut: timedOut))
    }

    /// One RecordInfo query and its answers, counted to SumNum, or what came by the deadline.
    func recordInfo(channel: String, at address: SIPPeer, range: Interval, zone: TimeZone) async -> RecordAnswer {
        sn += 1
        let sn = sn, timeout = config.recordTimeout
        return await withCheckedContinuation { continuation in
            let deadline = Task { [weak self] in
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                await self?.finishRecords(sn, timedOut: true)
            }
            records[sn] = RecordQuery(zone: zone, continuation: continuation, deadline: deadline)
            request("MESSAGE", to: channel, at: address, contentType: "Application/MANSCDP+xml",
                    body: MANSCDP.recordInfoQuery(sn: sn, channel: channel, range: range, zone: zone))
        }
    }

    /// Asks every camera of `device` for its recordings over the last `days` days.
    func startRecordSweep(_ device: String, days: Int) {
        guard let address = addresses[device] else { return }
        sweeps[device]?.cancel()
        if days >= config.recordDays { lastFullSweep[device] = service.clock.now() }
        sweeps[device] = Task { [weak self] in await self?.sweepRecordings(device, at: address, days: days) }
    }

    /// Each hour the last day again; each night (the first refresh a day after the last full
    /// sweep) every day.
    func refreshRecordings() {
        let now = service.clock.now()
        for device in addresses.keys {
            let full = lastFullSweep[device].map { now.ms - $0.ms >= 86_400_000 - 60_000 } ?? true
            startRecordSweep(device, days: full ? config.recordDays : 2)
        }
    }

    private func sweepRecordings(_ device: String, at address: SIPPeer, days: Int) async {
        let service = service
        guard let cameras = try? await pool.perform({ try service.gbCameras(device: device) }) else { return }
        let now = service.clock.now()
        var work: [(camera: Camera, range: Interval, isDay: Bool)] = []
        for camera in cameras {
            for day in GBRecordPlan.days(back: days, now: now, zone: camera.zone) {
                // A camera whose days came large is asked by the hour from then on.
                if hourly.contains(camera.id) { work += GBRecordPlan.hours(of: day).map { (camera: camera, range: $0, isDay: false) } } else { work.append((camera, day, true)) }
            }
        }
        var asked = 0, kept = 0, failed = 0
        // Days first; a day's hours join the queue when its answer is large or did not all come.
        var queue = work[...]
        await withTaskGroup(of: (camera: Camera, range: Interval, isDay: Bool, spans: [Interval]?).self) { group in
            func add() -> Bool {
                guard let item = queue.popFirst() else { return false }
                group.addTask { [weak self] in
                    (item.camera, item.range, item.isDay, await self?.ask(device: device, camera: item.camera, range: item.range, at: address))
                }
                return true
            }
            var running = 0
            while running < max(1, config.recordQueriesPerDevice), add() { running += 1 }
            while let r = await group.next() {
                running -= 1
                asked += 1
                if let spans = r.spans {
                    kept += spans.count
                    if r.isDay && spans.count >= GBRecordPlan.largeAnswer { hourly.insert(r.camera.id) }
                } else if r.isDay {
                    queue.append(contentsOf: GBRecordPlan.hours(of: r.range).map { (camera: r.camera, range: $0, isDay: false) })
                } else {
                    failed += 1
                }
                if Task.isCancelled { group.cancelAll(); continue }
                while running < max(1, config.recordQueriesPerDevice), add() { running += 1 }
            }
        }
        logger.notice("GB RecordInfo", metadata: ["device": "\(device)", "cameras": "\(cameras.count)", "days": "\(days)",
                                                  "queries": "\(asked)", "spans": "\(kept)", "unanswered": "\(failed)"])
    }

    /// Asks and stores one range; nil when its answer did not all come.
    private func ask(device: String, camera: Camera, range: Interval, at address: SIPPeer) async -> [Interval]? {
        await limiter.acquire()
        let answer = await recordInfo(channel: camera.id, at: address, range: range, zone: camera.zone)
        await limiter.release()
        guard answer.complete else {
            logger.warning("GB RecordInfo: the answer did not all come", metadata: [
                "device": "\(device)", "camera": "\(camera.id)", "from": "\(TimeFormat.rfc3339(range.start, in: camera.zone))",
                "to": "\(TimeFormat.rfc3339(range.end, in: camera.zone))", "items": "\(answer.received)", "sum_num": "\(answer.expected.map(String.init) ?? "-")"])
            return nil
        }
        let service = service, spans = answer.items
        do {
            try await pool.perform { try service.gbRecordings(device: device, cameraID: camera.id, range: range, spans: spans) }
        } catch {
            logger.error("GB RecordInfo not stored", metadata: ["camera": "\(camera.id)", "error": "\(ErrorText.of(error))"])
            return nil
        }
        return spans
    }
}
