import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct IndexCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index recorded segment files: keyframes, codec, resolution and footage windows.",
        discussion: """
            Without arguments, indexes the recordings directory of every enabled camera. Unchanged \
            files (same size and mtime) are skipped, changed ones read again, and rows of files that \
            are gone dropped. MP4 and MKV are read from their container index (marked unverified); \
            --verify scans every packet of those files to confirm them. A file that cannot be read \
            is recorded as an error for that file and the run goes on.

            A segment's wall-clock start comes from a timestamp in its path, read in the camera's \
            time zone (20261120_080000, 20261120T080000, 2026-11-20_08-00-00, 2026-11-20/08-00-00, \
            ZLMediaKit's 2026-11-20/2026-11-20-08-00-00-0.mp4, or the camera's --path-pattern), \
            else from the container's creation_time, else from the file's mtime less its duration \
            (low confidence).

            A file modified within --settle seconds (15) is indexed when it reads whole (an MP4 \
            with its moov, an MKV with its cues, a TS ending on a packet); one that does not yet, \
            or a hidden temp file, is in progress: listed, not failed, and read again when it \
            changes. An older MP4 without its moov box (the recorder was killed) is reported as \
            unfinished. A directory that cannot be read is an error naming it; its rows are kept.

              camindex index
              camindex index --camera 62072300001320000001
              camindex index --camera cam-7 /mnt/usb/export/*.mp4
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this camera.", valueName: "id")) var camera: String?
    @Argument(help: "Files or directories to index for --camera (instead of its recordings directory).")
    var paths: [String] = []
    @Flag(help: "Scan every packet of files so far known only from their container index.") var verify = false
    @Flag(help: "Read every file again, changed or not.") var force = false
    @Flag(help: "Exit 0 even when some files could not be indexed (they are still listed).") var allowFailures = false
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds one file may take before it is recorded as failed.", valueName: "seconds"))
    var timeout: Double = 60
    @Option(parsing: .unconditional, help: ArgumentHelp("Files read at once (default: the number of cores).", valueName: "n")) var jobs: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("A file modified within this many seconds is still being written: skipped and listed as in progress.", valueName: "seconds"))
    var settle: Double = 15
    @Option(parsing: .unconditional, help: ArgumentHelp("A segment claiming more than this is clipped, with a warning (a corrupt timestamp, not a recording).",
                                                        valueName: "hours"))
    var maxSegmentHours: Double = 6
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        if !paths.isEmpty && camera == nil { throw CamindexError.usage("files given without --camera ID: say which camera they belong to") }
        try Durations.check(timeout, "--timeout", max: 86_400)
        if let jobs, jobs < 1 { throw CamindexError.usage("--jobs must be at least 1") }
        try Durations.check(settle, "--settle", zero: true, max: 7 * 86_400)
        try Durations.check(maxSegmentHours, "--max-segment-hours", unit: "hours", max: 31 * 24)
    }

    func run() throws {
        var options = IndexOptions()
        options.verify = verify
        options.force = force
        options.timeout = .milliseconds(Int64(timeout * 1000))
        if let jobs { options.workers = jobs }
        options.settleMs = Int64((settle * 1000).rounded())
        options.maxSegmentMs = Int64((maxSegmentHours * 3_600_000).rounded())
        // A long run shows how far it is, on a terminal only (a cron log gets the summary).
        if isatty(2) != 0 {
            options.progress = { camera, done, total in
                FileHandle.standardError.write(Data("\r\(camera): \(done) of \(total) files read…\u{1B}[K".utf8))
            }
        }
        let reports = try global.service(.write).index(cameraID: camera, paths: paths, options: options)
        if options.progress != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        try print(reports)
        let failed = reports.reduce(0) { $0 + $1.failures.count }
        if failed > 0 && !allowFailures {
            throw CamindexError.runtime("\(failed) file\(failed == 1 ? "" : "s") could not be indexed (listed above; 'camindex camera show ID' keeps them); the rest were indexed. --allow-failures exits 0",
                                        code: .indexFailed)
        }
    }

    private func print(_ reports: [CameraIndexReport]) throws {
        if format == .json {
            struct Item: Encodable {
                var camera: String
                var files, indexed, verified, unchanged, removed: Int
                var failed: [FileFailure]
                var problem: String?
                var in_progress: [PendingFile]
                var path_zone_offset_hours: Int?
                /// Files whose mtimes lie ahead of now (the recorder's clock), indexed as settled: the largest lead.
                var mtime_ahead_seconds: Double?
                /// Segments indexed that start more than a day after now.
                var future_segments: Int
                /// MP4s without moov indexed from the pictures in their mdat.
                var recovered: [String]
            }
            try Output.json(reports.map {
                Item(camera: $0.cameraID, files: $0.files, indexed: $0.indexed, verified: $0.verified, unchanged: $0.unchanged,
                     removed: $0.removed, failed: $0.failures, problem: $0.problem, in_progress: $0.inProgress,
                     path_zone_offset_hours: $0.pathZoneOffsetHours, mtime_ahead_seconds: $0.mtimeAheadMs.map { Double($0) / 1000 },
                     future_segments: $0.futureSegments, recovered: $0.recovered)
            })
            return
        }
        if reports.isEmpty {
            Swift.print("no camera has a recordings directory: set one with 'camindex camera update ID --recordings DIR'")
            return
        }
        let active = reports.filter { $0.problem == nil }
        if !active.isEmpty {
            Swift.print(Output.table(header: ["CAMERA", "FILES", "INDEXED", "UNCHANGED", "REMOVED", "FAILED"], rows: active.map {
                [$0.cameraID, "\($0.files)", "\($0.indexed)", "\($0.unchanged)", "\($0.removed)", "\($0.failures.count)"]
            }, rightAligned: [1, 2, 3, 4, 5]))
        }
        // File names come from disk: a newline in one must not forge a line of the report.
        let p = Names.printable
        for r in reports { for f in r.failures { Swift.print("\(r.cameraID): \(p(f.path)): \(p(f.error))") } }
        for r in reports { if let h = r.pathZoneOffsetHours { Swift.print("\(r.cameraID): " + FootageSummary.pathZoneWarning(hours: h)) } }
        for r in reports {
            if let ahead = r.mtimeAheadMs {
                Swift.print("\(r.cameraID): warning: " + FootageSummary.mtimeAheadWarning(aheadMs: ahead))
            }
            if r.futureSegments > 0 {
                Swift.print("\(r.cameraID): warning: \(r.futureSegments) segment\(r.futureSegments == 1 ? "" : "s") dated more than a day ahead of now (the recorder's clock?): check its footage's dates")
            }
        }
        for r in reports { for f in r.recovered { Swift.print("\(r.cameraID): \(p(f)): unfinished (no moov), pictures recovered from its media data, timed from the frame rate") } }
        for r in reports { for f in r.inProgress { Swift.print("\(r.cameraID): \(p(f.path)): in progress (\(f.reason))") } }
        // A county-wide run can meet dozens of cameras whose NVR share is not mounted: say so once.
        let skipped = reports.filter { $0.problem != nil }
        if skipped.count > 5 {
            Swift.print("\(skipped.count) cameras skipped, recordings directory missing: "
                + skipped.prefix(3).map(\.cameraID).joined(separator: ", ") + ", … (--format json lists them)")
        } else {
            for r in skipped { Swift.print("\(r.cameraID): \(p(r.problem!))") }
        }
        let total = reports.reduce(into: (files: 0, indexed: 0, unchanged: 0, pending: 0, failed: 0)) {
            $0.files += $1.files; $0.indexed += $1.indexed; $0.unchanged += $1.unchanged; $0.pending += $1.pending
            $0.failed += $1.failures.count
        }
        // Every file is counted once: indexed + unchanged + still being written + failed = files.
        Swift.print("\(reports.count) camera\(reports.count == 1 ? "" : "s"), \(total.files) file\(total.files == 1 ? "" : "s"): "
            + "\(total.indexed) indexed, \(total.unchanged) unchanged, " + (total.pending > 0 ? "\(total.pending) still being written, " : "")
            + "\(total.failed) failed")
    }
}
