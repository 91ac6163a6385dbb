import CamindexCore
import CamindexMedia
import CamindexStore
import Foundation
import Logging
import Synchronization

/// Keeps the segment index of cameras' recordings in step with the files on disk:
/// new and changed files are read, unchanged ones skipped, gone ones dropped.
public struct Indexer: Sendable {
    /// Extensions of the segment files NVRs and media servers write.
    public static let segmentExtensions: Set<String> = ["mp4", "m4v", "mov", "ts", "mts", "m2ts", "mkv", "flv"]

    public let store: Store
    public let options: IndexOptions
    let logger: Logger

    public init(store: Store, options: IndexOptions = .init(), logger: Logger = Logger(label: "camindex.indexer")) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Indexes the camera's recording directory.
    public func indexRecordings(of camera: Camera) throws -> CameraIndexReport {
        var report = CameraIndexReport(cameraID: camera.id)
        guard let dir = camera.recordings else {
            report.problem = "no recordings directory registered"
            return report
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            report.problem = "recordings directory \(dir) does not exist or is not a directory"
            return report
        }
        let root = Self.absolute(dir)
        let remembered = options.memory?.entries(root: root) ?? [:]
        let listing = Self.listRecordings(under: dir, remembered: remembered)
        let listed = listing.files, temps = listing.hiddenTemps
        let known: [String: SegmentState]
        if remembered.isEmpty {
            known = try store.segmentStates(cameraID: camera.id)
        } else {
            // The rows of the directories read, and of those seen before and gone since: not
            // every row of the camera, which is what a scan of settled days must not cost.
            let seen = Set(listing.read).union(listing.skipped.keys)
            known = try store.segmentStates(cameraID: camera.id, inDirectories: listing.read + remembered.keys.filter { !seen.contains($0) })
        }
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        let present = Set(listed.map(\.path))
        // Rows in skipped directories stand for their files, unchanged; so do the rows under a
        // directory that could not be read: its files may well be there.
        let unreadable = listing.unreadable.keys.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        let gone = known.keys.filter { path in
            path.hasPrefix(prefix) && !present.contains(path) && (listing.skipped.isEmpty || listing.skipped[Self.parent(path)] == nil)
                && !unreadable.contains { path.hasPrefix($0) }
        }.sorted()
        for (path, why) in listing.unreadable.sorted(by: { $0.key < $1.key }) {
            report.failures.append(FileFailure(path: path, error: "directory cannot be read (\(why)): its files were not indexed and their rows are kept"))
        }
        try store.deleteSegments(cameraID: camera.id, paths: gone)
        report.removed = gone.count
        var unsettled = Set<String>()
        try process(listed.map { ($0.path, ($0.size, $0.mtimeMs)) }, camera: camera, known: known, into: &report, unsettled: &unsettled)
        let skippedFiles = listing.skipped.values.reduce(0, +)
        report.files += skippedFiles
        report.unchanged += skippedFiles
        if let memory = options.memory { remember(listing, root: root, remembered: remembered, unsettled: unsettled, in: memory) }
        if options.checkPathZone { report.pathZoneOffsetHours = try store.pathZoneOffsetHours(cameraID: camera.id) }
        // Hidden temp files wait for their rename: counted, listed, never read.
        report.files += temps.count
        report.pending += temps.count
        report.inProgress = (report.inProgress + temps.map { PendingFile(path: $0, reason: "hidden temp file, waiting for its rename") })
            .sorted { $0.path < $1.path }
        return report
    }

    /// Indexes the given files (or directories of files) for one camera.
    public func indexFiles(_ paths: [String], of camera: Camera) throws -> CameraIndexReport {
        var report = CameraIndexReport(cameraID: camera.id)
        var files: [(path: String, stat: (size: Int64, mtimeMs: Int64)?)] = []
        var gone: [String] = []
        let known = try store.segmentStates(cameraID: camera.id)
        for path in paths.map(Self.absolute) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                files += isDir.boolValue ? Self.listSegmentFiles(under: path).map { ($0.path, ($0.size, $0.mtimeMs)) } : [(path, Self.stat(path))]
            } else {
                report.failures.append(.init(path: path, error: "no such file"))
                if known[path] != nil { gone.append(path) }
            }
        }
        try store.deleteSegments(cameraID: camera.id, paths: gone)
        report.removed = gone.count
        var unsettled = Set<String>()
        try process(files, camera: camera, known: known, into: &report, unsettled: &unsettled)
        return report
    }

    /// Keeps in `memory` every leaf directory seen (skipped ones as they were), marked settled
    /// when its files are all settled and indexed (none pending, failed or left to another
    /// process) and its own mtime is older than the settle time (at least 2 s: a directory
    /// changed again within its file system's timestamp granularity would keep its mtime).
    private func remember(_ listing: Listing, root: String, remembered: [String: ListingMemory.Entry],
                          unsettled: Set<String>, in memory: ListingMemory) {
        let cutoffMs = store.clock.now().ms - max(options.settleMs, 2_000)
        var settledDirs = Set(listing.leaves.filter { $0.hiddenTemps == 0 }.map(\.path))
        for path in unsettled { settledDirs.remove(Self.parent(path)) }
        var seen: [String: ListingMemory.Entry] = [:]
        for (path, _) in listing.skipped { seen[path] = remembered[path] }
        for leaf in listing.leaves {
            var entry = leaf.mtime
            let mtimeMs = Int64(entry.mtimeSec) * 1000 + Int64(entry.mtimeNsec) / 1_000_000
            entry.settled = settledDirs.contains(leaf.path) && mtimeMs < cutoffMs
            seen[leaf.path] = entry
        }
        memory.update(root: root, seen: seen, listed: listing.read.count, skipped: listing.skipped.count)
    }

    /// The directory holding `path` ("/" for a file at the root).
    static func parent(_ path: String) -> String {
        // On UTF-8 bytes: it runs for every row of a camera whose days were skipped.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash > path.utf8.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// `files`: paths with their size and mtime as listed (nil: could not be read). Adds to
    /// `unsettled` the files this run leaves as they were: pending, failed, left to another process.
    private func process(_ files: [(path: String, stat: (size: Int64, mtimeMs: Int64)?)], camera: Camera, known: [String: SegmentState],
                         into report: inout CameraIndexReport, unsettled: inout Set<String>) throws {
        report.files = files.count
        var work: [(path: String, size: Int64, mtimeMs: Int64)] = []
        // Modified within the settle time: indexed when it reads whole, else in progress.
        var recent = Set<String>()
        let nowMs = store.clock.now().ms
        for (path, stat) in files {
            guard let (size, mtimeMs) = stat else {
                report.failures.append(.init(path: path, error: "cannot read file attributes"))
                continue
            }
            if mtimeMs > nowMs + Self.clockAheadMarginMs {
                // Well ahead of now: the recorder's clock is wrong, not the file in progress.
                report.mtimeAheadMs = max(report.mtimeAheadMs ?? 0, mtimeMs - nowMs)
            } else if options.settleMs > 0 && nowMs - mtimeMs < options.settleMs {
                if !options.readRecentFiles {
                    report.pending += 1
                    report.inProgress.append(PendingFile(path: path, reason: "modified \((nowMs - mtimeMs) / 1000) s ago, within the settle time of \(options.settleMs / 1000) s"))
                    continue
                }
                recent.insert(path)
            }
            if let state = known[path], isCurrent(state, size: size, mtimeMs: mtimeMs) {
                // Still broken: a re-run keeps reporting it (as failed, not unchanged) until the file changes.
                if let error = state.error {
                    report.failures.append(.init(path: path, error: error))
                    report.unchangedFailures += 1
                } else {
                    report.unchanged += 1
                }
                continue
            }
            work.append((path, size, mtimeMs))
        }
        // Before a file of this camera is saved: the pages its rows go to are read whole, so a
        // damaged one stops the run (store.damaged) instead of taking writes beside it.
        if !work.isEmpty { try store.checkPagesBeforeWrite(cameraID: camera.id) }
        let outcome = Mutex(Outcome())
        let mode: SegmentReader.Mode = options.verify ? .scan : .fast
        let zones = Self.zones(camera)
        let pattern = camera.pathPattern.flatMap { try? PathTimestamp(pattern: $0) } ?? .builtIn
        let items = work
        let fresh = recent
        let workers = min(options.workers, max(items.count, 1))
        // Another process may index the same store (the daemon, and `camindex index` by hand):
        // a file it is reading is left to it, one it has indexed since the listing is not read
        // again, and the save itself is skipped if the store caught up meanwhile.
        // A scan of unchanged files reads nothing: no claims file to open then.
        let claims = items.isEmpty ? nil : store.path.flatMap(IndexClaims.init(storePath:))
        let done = Mutex((count: 0, shown: ContinuousClock.now))
        let progress = options.progress
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for item in stride(from: worker, to: items.count, by: workers).map({ items[$0] }) {
                if options.cancel?.isCancelled == true {
                    outcome.withLock { $0.stopped.append(item.path) }
                    continue
                }
                if let progress {
                    let (count, due) = done.withLock { d -> (Int, Bool) in
                        d.count += 1
                        guard ContinuousClock.now - d.shown >= .seconds(1) else { return (d.count, false) }
                        d.shown = ContinuousClock.now
                        return (d.count, true)
                    }
                    if due { progress(camera.id, count, items.count) }
                }
                if let claims, !claims.claim(cameraID: camera.id, path: item.path) {
                    logger.debug("left to another indexer", metadata: ["camera": "\(camera.id)", "file": "\(item.path)"])
                    outcome.withLock { $0.busy.append(item.path) }
                    continue
                }
                defer { claims?.release(cameraID: camera.id, path: item.path) }
                let before = known[item.path]
                if let now = try? store.segmentState(cameraID: camera.id, path: item.path), now != before,
                   isCurrent(now, size: item.size, mtimeMs: item.mtimeMs) {
                    outcome.withLock { $0.busy.append(item.path) }
                    continue
                }
                do {
                    let info = try SegmentReader.read(path: item.path, mode: mode, timeout: options.timeout, cancel: options.cancel)
                    // A TS being written ends inside a packet as often as not.
                    if fresh.contains(item.path), info.truncated || Self.tsPacketSize(item.path).map({ item.size % $0 != 0 }) == true {
                        outcome.withLock { $0.pending.append(Self.notYetWhole(item, nowMs: nowMs, settleMs: options.settleMs, why: "it ends inside a packet")) }
                        continue
                    }
                    let record = Self.record(item.path, size: item.size, mtimeMs: item.mtimeMs, info: info, pattern: pattern, pathZone: zones.path)
                    if record.startSource == .creationTime {
                        // Chained to the previous file once every file of this run is read, in order.
                        outcome.withLock { $0.undated.append((record, info)) }
                        continue
                    }
                    try save(record, info: info, camera: camera, into: outcome)
                } catch let error as MediaError {
                    if options.cancel?.isCancelled == true {
                        outcome.withLock { $0.stopped.append(item.path) }
                        continue
                    }
                    if fresh.contains(item.path) {
                        outcome.withLock { $0.pending.append(Self.notYetWhole(item, nowMs: nowMs, settleMs: options.settleMs, why: error.message)) }
                        continue
                    }
                    if error.kind == .invalidData, Self.isMP4(item.path), MP4Boxes.lacksMoov(item.path) == true {
                        // Its recorder stopped before writing the index (killed, power cut).
                        guard options.recoverUnfinished else {
                            outcome.withLock { $0.pending.append(PendingFile(path: item.path, reason: "unfinished (no moov), left for the periodic scan")) }
                            continue
                        }
                        // Recovered once the camera's finished files of this run are saved.
                        outcome.withLock { $0.unfinished.append((item, before)) }
                        continue
                    }
                    saveFailure(error, item: item, before: before, camera: camera, into: outcome)
                } catch {
                    outcome.withLock { $0.storeError = error }
                }
            }
        }
        if outcome.withLock({ $0.storeError }) == nil {
            for (record, info) in outcome.withLock({ $0.undated }).sorted(by: { ($0.0.startMs, $0.0.path) < ($1.0.startMs, $1.0.path) }) {
                do {
                    try save(try chained(record, cameraID: camera.id), info: info, camera: camera, into: outcome)
                } catch {
                    outcome.withLock { $0.storeError = error }
                    break
                }
            }
        }
        if outcome.withLock({ $0.storeError }) == nil {
            for (item, before) in outcome.withLock({ $0.unfinished }).sorted(by: { $0.0.path < $1.0.path }) {
                if options.cancel?.isCancelled == true {
                    outcome.withLock { $0.stopped.append(item.path) }
                    continue
                }
                do {
                    let info = try recovered(item.path, camera: camera)
                    try save(Self.record(item.path, size: item.size, mtimeMs: item.mtimeMs, info: info, pattern: pattern, pathZone: zones.path),
                             info: info, camera: camera, into: outcome)
                } catch let error as MediaError {
                    saveFailure(error, item: item, before: before, camera: camera, into: outcome)
                } catch {
                    outcome.withLock { $0.storeError = error }
                    break
                }
            }
        }
        let result = outcome.withLock { $0 }
        if let error = result.storeError { throw error }
        report.indexed += result.indexed
        report.verified += result.verified
        report.busy += result.busy.count
        report.stopped += result.stopped.count
        report.clipped += result.clipped
        report.futureSegments += result.future
        report.recovered = (report.recovered + result.recovered).sorted()
        report.pending += result.pending.count
        report.inProgress = (report.inProgress + result.pending).sorted { $0.path < $1.path }
        report.failures = (report.failures + result.failures).sorted { $0.path < $1.path }
        unsettled.formUnion(result.busy)
        unsettled.formUnion(result.stopped)
        unsettled.formUnion(report.failures.map(\.path))
        unsettled.formUnion(report.inProgress.map(\.path))
    }

    /// What the workers of one `process` call did.
    /// A file modified within the settle time that does not read whole yet: being written.
    private static func notYetWhole(_ item: (path: String, size: Int64, mtimeMs: Int64), nowMs: Int64, settleMs: Int64, why: String) -> PendingFile {
        PendingFile(path: item.path, reason: "modified \((nowMs - item.mtimeMs) / 1000) s ago and not readable whole yet (\(why)): read again when it changes")
    }

    private struct Outcome {
        var indexed = 0, verified = 0, clipped = 0, future = 0
        /// Files left to another process indexing the same store.
        var busy: [String] = []
        /// Files not read: the run was stopped.
        var stopped: [String] = []
        var failures: [FileFailure] = []
        var recovered: [String] = []
        var pending: [PendingFile] = []
        var storeError: (any Error)?
        /// Files dated by their creation time, saved after the others (see `chained`).
        var undated: [(SegmentRecord, SegmentInfo)] = []
        /// MP4s without moov, recovered after the others are saved (`recovered` takes the stream
        /// parameters from the camera's finished files).
        var unfinished: [(item: (path: String, size: Int64, mtimeMs: Int64), before: SegmentState?)] = []
    }

    /// Bounds `record` (see `bounded`), logs what its reading found, and saves it.
    private func save(_ record: SegmentRecord, info: SegmentInfo, camera: Camera, into outcome: borrowing Mutex<Outcome>) throws {
        let (record, clip) = Self.bounded(record, maxSegmentMs: options.maxSegmentMs, mtimeSlackMs: options.mtimeSlackMs)
        if let clip {
            logger.warning("segment clipped", metadata: ["camera": "\(camera.id)", "file": "\(record.path)", "reason": "\(clip)"])
        }
        if info.stalledTimestamps > 0 {
            logger.warning("timestamps stalled, re-timed from the frame rate", metadata: [
                "camera": "\(camera.id)", "file": "\(record.path)", "packets": "\(info.stalledTimestamps)"])
        }
        if info.badTimestamps > 0 {
            logger.notice("timestamps not believed", metadata: ["camera": "\(camera.id)", "file": "\(record.path)",
                                                                 "packets": "\(info.badTimestamps)"])
        }
        guard try store.saveSegment(cameraID: camera.id, record, unlessCurrent: !options.force) else {
            outcome.withLock { $0.busy.append(record.path) }
            return
        }
        logger.debug("indexed", metadata: ["camera": "\(camera.id)", "file": "\(record.path)", "method": "\(info.method.rawValue)",
                                           "time_source": "\(record.startSource.rawValue)"])
        outcome.withLock {
            $0.indexed += 1
            if record.verified { $0.verified += 1 }
            if clip != nil { $0.clipped += 1 }
            if info.method == .recovered { $0.recovered.append(record.path) }
            if record.startMs > store.clock.now().ms + Self.futureMarginMs { $0.future += 1 }
        }
    }

    /// The packet size of an MPEG-TS file by its extension (BDAV's M2TS prefixes a 4-byte
    /// timestamp); nil for other containers.
    static func tsPacketSize(_ path: String) -> Int64? {
        switch (path as NSString).pathExtension.lowercased() {
        case "ts", "mts": 188
        case "m2ts": 192
        default: nil
        }
    }

    /// An mtime up to this far ahead of now is a file being written on a machine whose clock
    /// differs a little (a share, rounding); further ahead, a recorder's clock set wrong.
    public static let clockAheadMarginMs: Int64 = 60_000

    /// A segment starting more than this after now is dated by a clock set wrong.
    public static let futureMarginMs: Int64 = 86_400_000

    private func saveFailure(_ error: MediaError, item: (path: String, size: Int64, mtimeMs: Int64), before: SegmentState?,
                             camera: Camera, into outcome: borrowing Mutex<Outcome>) {
        // The row already names the file.
        let prefix = item.path + ": "
        let message = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
        do {
            if !options.force, let now = try store.segmentState(cameraID: camera.id, path: item.path), now != before,
               now.size == item.size, now.mtimeMs == item.mtimeMs {
                // Another process recorded this file meanwhile.
                outcome.withLock { $0.busy.append(item.path) }
                return
            }
            try store.saveSegmentError(cameraID: camera.id, path: item.path, size: item.size, mtimeMs: item.mtimeMs, message: message)
        } catch {
            outcome.withLock { $0.storeError = error }
        }
        logger.notice("cannot index", metadata: ["camera": "\(camera.id)", "file": "\(item.path)", "error": "\(message)"])
        outcome.withLock { $0.failures.append(.init(path: item.path, error: message)) }
    }

    /// The footage of an MP4 without `moov`, recovered from its `mdat` with the stream
    /// parameters of the camera's latest finished file.
    private func recovered(_ path: String, camera: Camera) throws -> SegmentInfo {
        guard let reference = try store.latestStream(cameraID: camera.id) else {
            throw MediaError(.invalidData, "\(path): unfinished (no moov): the recorder never closed this MP4, and no finished file of the camera gives the codec and frame rate to recover it")
        }
        return try MoovlessMP4.recover(path: path, reference: reference)
    }

    /// A segment dated by its container's creation time, moved to the end of the camera's
    /// previous file when that end is within a GOP (plus the creation time's one-second
    /// resolution) of it: recorders stamp the time they open a file, GStreamer's mp4mux about
    /// a GOP after the file's first frame, so consecutive files would overlap by that much.
    func chained(_ record: SegmentRecord, cameraID: String) throws -> SegmentRecord {
        let steps = zip(record.keyframeOffsetsMs.dropFirst(), record.keyframeOffsetsMs).map { $0 - $1 }.filter { $0 > 0 }
        let gopMs = steps.isEmpty ? Self.defaultGopMs : steps.sorted()[(steps.count - 1) / 2]
        guard let previousEnd = try store.previousSegmentEnd(cameraID: cameraID, near: Instant(ms: record.startMs),
                                                             toleranceMs: gopMs + 1_000, excluding: record.path)
        else { return record }
        return record.shifted(byMs: previousEnd.ms - record.startMs, source: .chained)
    }

    /// The keyframe interval assumed for a file with fewer than two keyframes.
    static let defaultGopMs: Int64 = 2_000

    /// Whether the store's row for a file of this size and mtime is all this run would write.
    private func isCurrent(_ state: SegmentState, size: Int64, mtimeMs: Int64) -> Bool {
        state.size == size && state.mtimeMs == mtimeMs && !options.force && !(options.verify && !state.verified && !state.failed)
    }

    /// A segment no longer than `maxSegmentMs`, and, when its start comes from its path, ending
    /// no later than its file's mtime plus `mtimeSlackMs` (a file is not written before the
    /// footage in it is recorded): runs and keyframes past the limit are dropped, and the clip
    /// counts as one more timestamp not believed. Returns why it was clipped, if it was.
    static func bounded(_ record: SegmentRecord, maxSegmentMs: Int64, mtimeSlackMs: Int64) -> (SegmentRecord, String?) {
        var limit = record.startMs + maxSegmentMs
        var reasons: [String] = []
        if record.endMs - record.startMs > maxSegmentMs {
            reasons.append("longer than the longest segment allowed (\(maxSegmentMs / 1000) s): \((record.endMs - record.startMs) / 1000) s")
        }
        if record.startSource == .path, record.endMs > record.mtimeMs + mtimeSlackMs {
            limit = min(limit, max(record.startMs, record.mtimeMs + mtimeSlackMs))
            reasons.append(record.startMs > record.mtimeMs + mtimeSlackMs
                ? "starts after the file was last modified"
                : "ends \((record.endMs - record.mtimeMs) / 1000) s after the file was last modified")
        }
        guard record.endMs > limit else { return (record, nil) }
        var out = record
        out.endMs = limit
        out.runs = record.runs.compactMap { $0.start.ms < limit ? Interval(startMs: $0.start.ms, endMs: min($0.end.ms, limit)) : nil }
        out.keyframeOffsetsMs = record.keyframeOffsetsMs.filter { record.startMs + $0 < limit }
        out.badTimestamps += 1
        return (out, reasons.joined(separator: "; "))
    }

    /// Where a segment sits on the wall clock: the time in its path (in the camera's or the
    /// pattern's zone), else the container's creation time, else its mtime less its duration
    /// (low confidence). Packet times count from the segment's first packet.
    static func record(_ path: String, size: Int64, mtimeMs: Int64, info: SegmentInfo, pattern: PathTimestamp, pathZone: TimeZone) -> SegmentRecord {
        let start: Int64
        let source: SegmentRecord.StartSource
        if let civil = pattern.civilTime(inPath: path) {
            start = civil.instant(in: pathZone).ms
            source = .path
        } else if let created = info.creationTime {
            start = created.ms
            source = .creationTime
        } else {
            start = mtimeMs - info.durationMs
            source = .mtime
        }
        let runs = info.runs.map { Interval(startMs: start + $0.startMs, endMs: start + $0.endMs) }
        var out = SegmentRecord(
            path: path, size: size, mtimeMs: mtimeMs, startMs: start, endMs: start + info.durationMs, startSource: source,
            container: info.container, codec: info.codec, width: info.width, height: info.height, fps: info.fps,
            firstPtsMs: info.firstPtsMs, keyframeOffsetsMs: info.keyframesMs, method: info.method.rawValue,
            verified: info.method == .packetScan, truncated: info.truncated, damagedKeyframes: info.damagedKeyframes,
            runs: runs, badTimestamps: info.badTimestamps)
        out.stalledTimestamps = info.stalledTimestamps
        return out
    }

    static func zones(_ camera: Camera) -> (camera: TimeZone, path: TimeZone) {
        let zone = camera.zone
        return (zone, camera.pathTimezone.flatMap(TimeZone.init(identifier:)) ?? zone)
    }

    static func isMP4(_ path: String) -> Bool {
        ["mp4", "m4v", "mov"].contains((path as NSString).pathExtension.lowercased())
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
}

