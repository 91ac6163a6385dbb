import CamindexCore
import CamindexIndexer
import CamindexMedia
import CamindexStore
import Foundation

/// Evidence export (调取录像): clips by stream copy from the indexed segments of one or many
/// cameras, a hash manifest, and the audit row. Files are written under a temporary name and
/// renamed when whole; nothing is written outside the output directory; nothing existing is
/// replaced without `force`.
public struct Exporter: Sendable {
    public struct Request: Sendable {
        public var selector: CameraSelector
        public var from: String
        public var to: String
        public var date: String?
        public var timezone: String?
        public var output: String
        public var reason: String?
        public var dryRun = false
        public var force = false
        /// Bound on writing one clip part (every open, read, seek and write).
        public var clipTimeout: Duration = .seconds(1800)
        /// Stops the export (a signal): the clips whole so far are kept, listed in a manifest
        /// marked incomplete; the part being written is removed.
        public var cancel: CancelFlag?

        public init(selector: CameraSelector, from: String, to: String, output: String) {
            self.selector = selector
            self.from = from
            self.to = to
            self.output = output
        }
    }

    /// What happened, as it is written into `manifest.json`.
    public struct Manifest: Codable, Sendable {
        public struct Span: Codable, Sendable {
            public var start, end: String
            public var seconds: Double
            /// For a hole inside the footage the index holds: why it is not in a clip (a source
            /// file missing or unreadable since it was indexed, or ending early).
            public var cause: String?
        }
        public struct RegionRef: Codable, Sendable { public var code, name: String }
        public struct SourceFile: Codable, Sendable {
            public var path: String
            /// As read for the export (not as indexed).
            public var bytes: Int64
            public var mtime: String
            /// The size and mtime the index holds, when the file changed since it was indexed.
            public var indexed_bytes: Int64?
            public var indexed_mtime: String?
            /// SHA-256 of the whole file, as read at `sha256_read_at`: by this export, or by an
            /// earlier one when the file's size, mtime and inode are still those it read.
            public var sha256: String?
            public var sha256_read_at: String?
            public var packets: Int?
            /// Stopped before the planned end: truncated or damaged; what was copied is every packet before that.
            public var ended_early: Bool
            public var note: String?
        }
        public struct Clip: Codable, Sendable {
            public var file: String
            public var part: Int
            public var sha256: String?
            public var bytes: Int64
            public var estimated_bytes: Int64
            public var duration_seconds: Double?
            public var packets: Int?
            public var codec: String
            public var width, height: Int
            /// Wall-clock time of the first frame (a keyframe), also the MP4's creation_time.
            public var starts_at: String
            public var ends_at: String
            /// Where the requested --from falls inside this clip, seconds from its start (0 for later parts).
            public var from_offset_seconds: Double
            public var sources: [SourceFile]
        }
        public struct CameraExport: Codable, Sendable {
            public var id, name: String
            public var region: RegionRef
            public var region_path: [RegionRef]
            public var actual: Span?
            public var clips: [Clip]
            public var holes: [Span]
            public var error: String?
        }
        public struct FileHash: Codable, Sendable {
            public var file: String
            public var sha256: String
            public var bytes: Int64
        }

        public var camindex_version: String
        public var exported_at: String
        public var user: String
        public var reason: String?
        public var dry_run: Bool
        /// False when the export was stopped before every camera was done (`interrupted` says
        /// how): the clips listed are whole, the cameras not done say so. Absent from manifests
        /// of camindex versions that wrote only complete ones.
        public var complete: Bool?
        public var interrupted: String?
        public var requested: Span
        public var cameras: [CameraExport]
        /// Every clip written, for `export verify`.
        public var files: [FileHash]
    }

    public struct Outcome: Sendable {
        public var manifest: Manifest
        /// Cameras that failed, with the reason (the others were still exported).
        public var failures: [(camera: String, message: String)]
        /// What the exporter should know: sources changed since they were indexed, footage the
        /// index holds that could not be read.
        public var warnings: [String]
        public var manifestPath: String?
    }

    /// A stretch of the range not in any clip, and why when the index holds footage there.
    struct Hole {
        var interval: Interval
        var cause: String?
    }

    public let store: Store
    /// Who exports, as the manifest names them.
    public let user: String
    /// Their role, for the extraction record: a signed-in user's; nil for the OS user (the CLI).
    public let role: String?
    /// Called with progress lines (per camera and part) when the caller wants them.
    public let progress: (@Sendable (String) -> Void)?

    /// Where the cameras are chosen: the store as the caller sees it (a user limited to regions
    /// selects only theirs).
    let selectingFrom: any IndexReader

    public init(store: Store, user: String, role: String? = nil, progress: (@Sendable (String) -> Void)? = nil, selectingFrom: (any IndexReader)? = nil) {
        self.store = store
        self.user = user
        self.role = role
        self.progress = progress
        self.selectingFrom = selectingFrom ?? store
    }

    public static let manifestName = "manifest.json"
    public static let manifestTextName = "manifest.txt"
    /// The Ed25519 signature of `manifest.json` by the store's key (`ManifestSignature`).
    public static let signatureName = "manifest.json.sig"
    /// The printable extraction record (电子数据提取固定清单), carrying the manifest's hash.
    public static let recordName = ExtractionRecord.fileName
    /// Every file an export writes beside its clips, in the order they are put in place.
    public static let recordNames = [manifestName, signatureName, recordName, manifestTextName]

    public func run(_ request: Request) throws -> Outcome {
        let queries = Queries(reader: selectingFrom, clock: store.clock)
        let selection = try queries.select(request.selector)
        let zone = try Queries.zone(for: selection.cameras, override: request.timezone)
        let range = try DateSpec(date: request.date, zone: zone).range(from: request.from, to: request.to, now: store.clock.now())
        let dir = URL(fileURLWithPath: request.output).standardizedFileURL.path
        try refuseInsideRecordings(dir)
        // A dry run checks what the real run would refuse at once, and writes nothing.
        try check(dir, force: request.force)
        // The key is checked (and made, on first need) before anything is written: an export
        // that cannot be signed is not made.
        let key = try signingKey(create: !request.dryRun)
        var lock: FileLock?
        var room: ManifestRoom?
        defer {
            room?.release()
            lock?.release()
        }
        if request.dryRun {
            try refuseIfBusy(dir)
        } else {
            try create(dir)
            lock = try lockOutput(dir)
            // Again under the lock: an export that held it may have written its manifest.
            try check(dir, force: request.force)
            if request.force { try removeEarlierExport(dir) }
            var sources = 0
            for camera in selection.cameras { sources += try store.segments(cameraID: camera.id, overlapping: range).count }
            room = try ManifestRoom(dir: dir, cameras: selection.cameras.count, sources: sources)
        }
        let regions = try store.regionPaths(for: selection.cameras)
        let facts = request.dryRun ? nil : try recordFacts(selection.cameras)
        var cameras: [Manifest.CameraExport] = []
        var failures: [(camera: String, message: String)] = []
        var warnings: [String] = []
        var interrupted: String?
        for camera in selection.cameras {
            let z = camera.zone
            let path = (RegionCode.ancestors(of: camera.regionCode) + [camera.regionCode]).compactMap { regions[$0] }
            var entry = Manifest.CameraExport(
                id: camera.id, name: camera.name,
                region: .init(code: camera.regionCode, name: regions[camera.regionCode]?.name ?? ""),
                region_path: path.map { .init(code: $0.code, name: $0.name) }, actual: nil, clips: [], holes: [], error: nil)
            if interrupted != nil || request.cancel?.isCancelled == true {
                interrupted = interrupted ?? Self.stopped
                entry.error = "not exported: the export was stopped before this camera"
                cameras.append(entry)
                continue
            }
            do {
                // From the keyframe `keyframe --at` names for the start, however far back.
                let keyframe = try store.keyframes(cameraID: camera.id, at: range.start).atOrBefore?.time
                let from = min(keyframe ?? range.start, range.start)
                let plan = ExportPlan(segments: try store.segments(cameraID: camera.id, overlapping: Interval(from, range.end)), range: range)
                var holes = plan.holes.map { Hole(interval: $0, cause: nil) }
                entry.clips = try writeParts(plan, of: camera, request: request, dir: dir, holes: &holes)
                entry.holes = holes.sorted { $0.interval.start < $1.interval.start }.map {
                    var span = Self.span($0.interval, z)
                    span.cause = $0.cause
                    return span
                }
                // Footage the index holds that could not be exported is said (the manifest names
                // each hole's cause); a camera of which nothing could be exported has failed.
                let lost = holes.compactMap { h in h.cause.map { "\(Self.span(h.interval, z).start)–\(Self.span(h.interval, z).end) not exported: \($0)" } }
                if entry.clips.isEmpty && !lost.isEmpty {
                    let message = "nothing could be exported: " + lost.joined(separator: "; ")
                    entry.error = message
                    failures.append((camera.id, message))
                } else {
                    warnings += lost.map { "camera \(camera.id): \($0)" }
                }
                for clip in entry.clips {
                    for source in clip.sources where source.indexed_bytes != nil {
                        warnings.append("camera \(camera.id): \(source.path) changed since it was indexed (\(source.indexed_bytes!) bytes, mtime \(source.indexed_mtime ?? "?") then; \(source.bytes) bytes, mtime \(source.mtime) now): what was read is what the manifest records; 'camindex index' reads it again")
                    }
                }
                if let first = plan.parts.first, let last = plan.parts.last {
                    entry.actual = Self.span(Interval(first.start, max(first.start, last.end)), z)
                }
            } catch where request.cancel?.isCancelled == true {
                interrupted = Self.stopped
                entry.clips = []
                entry.error = "not exported: the export was stopped while this camera was written; its parts were removed"
            } catch {
                let message = Self.message(error)
                entry.error = message
                failures.append((camera.id, message))
                progress?("\(camera.id): failed: \(message)")
            }
            cameras.append(entry)
        }
        let manifest = Manifest(
            camindex_version: CamindexVersion.current, exported_at: TimeFormat.rfc3339(store.clock.now(), in: zone),
            user: user, reason: request.reason, dry_run: request.dryRun, complete: interrupted == nil, interrupted: interrupted,
            requested: Self.span(range, zone),
            cameras: cameras,
            files: cameras.flatMap(\.clips).compactMap { c in c.sha256.map { Manifest.FileHash(file: c.file, sha256: $0, bytes: c.bytes) } })
        var manifestPath: String?
        if !request.dryRun, let key, let facts {
            room?.release()
            do {
                manifestPath = try writeManifest(manifest, dir: dir, key: key, facts: facts, zone: zone)
            } catch {
                // Clips without their manifests are evidence without a record: none is kept.
                let clips = manifest.files.compactMap { try? Self.inside(dir, $0.file) }
                for clip in clips { try? FileManager.default.removeItem(atPath: clip) }
                let full = (error as? CamindexError)?.code == .exportNoSpace
                let why = full ? "no space left on the device holding \(dir)" : Self.message(error)
                throw CamindexError.runtime("cannot write the export's manifests, signature and extraction record: \(why); the \(clips.count) clip\(clips.count == 1 ? "" : "s") written were removed, nothing of this export is kept; free space there and run it again",
                                            code: full ? .exportNoSpace : .outputFailed, value: dir)
            }
        }
        if let interrupted {
            let whole = cameras.filter { !$0.clips.isEmpty }.count
            throw CamindexError.runtime("the export was \(interrupted): \(manifest.files.count) clip\(manifest.files.count == 1 ? "" : "s") of \(whole) camera\(whole == 1 ? "" : "s") are whole and listed in \(manifestPath ?? dir) (marked incomplete); \(cameras.count - whole) not exported. Run it again with --force to replace it",
                                        code: .exportInterrupted, value: dir)
        }
        return Outcome(manifest: manifest, failures: failures, warnings: warnings, manifestPath: manifestPath)
    }

    /// SHA-256 of whole source files, on a background thread from the moment it is made. A
    /// hash an earlier export kept in the store is taken while the file's size, mtime and inode
    /// are the ones it read; a new one is kept when the file did not change while it was read
    /// (a read-only store keeps none).
    final class SourceHashes: @unchecked Sendable {
        struct Hashed {
            var sha256: String
            var readAt: Instant
        }

        private let done = DispatchSemaphore(value: 0)
        // Written by the hashing thread before `done` is signalled, read after it is waited on.
        private var results: [String: Hashed] = [:]

        init(_ paths: [String], store: Store) {
            var seen = Set<String>()
            let unique = paths.filter { seen.insert($0).inserted }
            Thread.detachNewThread { [self] in
                for path in unique {
                    guard let before = FileIdentity.of(path) else { continue }
                    if let kept = (try? store.keptSourceHash(path: path, identity: before)) ?? nil {
                        results[path] = Hashed(sha256: kept.sha256, readAt: kept.hashedAt)
                        continue
                    }
                    let at = store.clock.now()
                    guard let hash = try? SHA256Hex.ofFile(path) else { continue }
                    results[path] = Hashed(sha256: hash, readAt: at)
                    if FileIdentity.of(path) == before { try? store.keepSourceHash(path: path, identity: before, sha256: hash, hashedAt: at) }
                }
                done.signal()
            }
        }

        func wait() -> [String: Hashed] {
            done.wait()
            return results
        }
    }

    /// A part written under its temporary name, before the parts are counted and named.
    private struct Written {
        var temp: String
        var clip: Manifest.Clip
    }

    /// Writes every planned part. A source file that ends early (truncated, damaged) ends its
    /// part there: the time it lacks becomes a hole and the next file starts a new part, so no
    /// clip's timeline closes over missing footage. Parts are renamed into place once all are
    /// written and counted (NAME.mp4 for one, NAME_partN.mp4 for several).
    private func writeParts(_ plan: ExportPlan, of camera: Camera, request: Request, dir: String, holes: inout [Hole]) throws -> [Manifest.Clip] {
        let stamp = Self.fileStamp(plan.range.start, zone: camera.zone)
        // Source files are hashed on another thread while the clips are written: the two
        // together take about as long as the longer of them, not their sum.
        let sourceHashes = SourceHashes(request.dryRun ? [] : plan.parts.flatMap { $0.sources.map(\.segment.path) }, store: store)
        var written: [Written] = []
        defer { for w in written { try? FileManager.default.removeItem(atPath: w.temp) } }
        var queue = plan.parts[...]
        var unreadable: [String: String] = [:]
        func problem(_ source: ExportPlan.Source) -> String? {
            let path = source.segment.path
            if let known = unreadable[path] { return known.isEmpty ? nil : known }
            let why: String?
            if !FileManager.default.fileExists(atPath: path) {
                why = "source file \(path) is missing (it was indexed)"
            } else if source.segment.recovered {
                why = nil
            } else {
                why = ClipWriter.unreadable(path, timeout: .seconds(30)).map { "source file \(path) cannot be read since it was indexed: \($0.message)" }
            }
            unreadable[path] = why ?? ""
            return why
        }
        while var part = queue.popFirst() {
            if request.cancel?.isCancelled == true { throw CamindexError.runtime(Self.stopped, code: .exportInterrupted) }
            // A source lost since indexing is a hole in the manifest, with its cause; the files
            // around it are still exported, each side its own part.
            if !request.dryRun, let bad = part.sources.firstIndex(where: { problem($0) != nil }) {
                let before = Array(part.sources[..<bad]), after = Array(part.sources[(bad + 1)...])
                let lostStart = bad == 0 ? part.start : Self.wallStart(part.sources[bad])
                let lostEnd = after.first.map(Self.wallStart) ?? part.end
                holes.append(Hole(interval: Interval(lostStart, max(lostStart, lostEnd)), cause: problem(part.sources[bad])))
                if !after.isEmpty {
                    queue.insert(ExportPlan.Part(number: 0, start: lostEnd, end: part.end, codec: part.codec, width: part.width,
                                                 height: part.height, sources: after, estimatedBytes: 0), at: queue.startIndex)
                }
                guard !before.isEmpty else { continue }
                part.sources = before
                part.end = lostStart
            }
            if request.dryRun {
                written.append(Written(temp: "", clip: clip(for: part, camera: camera, plan: plan)))
                progress?("\(camera.id): would write part \(written.count) (~\(part.estimatedBytes / 1_000_000) MB from \(part.sources.count) file\(part.sources.count == 1 ? "" : "s"))")
                continue
            }
            let temp = try Self.inside(dir, ".\(camera.id)_\(stamp)_\(written.count + 1).partial")
            progress?("\(camera.id): writing part \(written.count + 1) from \(part.sources.count) file\(part.sources.count == 1 ? "" : "s")")
            if part.recovered {
                // No muxer reads an MP4 without moov: the file itself is the evidence.
                try copyWhole(part.sources[0].segment.path, to: temp, camera: camera)
                var c = clip(for: part, camera: camera, plan: plan)
                c.duration_seconds = Double(part.end.ms - part.start.ms) / 1000
                c.sources[0].note = "recovered: its recorder died before writing moov; copied whole, as recorded (pictures timed from the frame rate)"
                Self.recordAsRead(&c, indexed: part.sources, zone: camera.zone)
                written.append(Written(temp: temp, clip: c))
                continue
            }
            var result = try copy(part, to: temp, camera: camera, request: request)
            if let short = result.sources.dropLast().firstIndex(where: \.endedEarly) {
                // Write it again up to the short file; the files after it make the next part.
                let rest = Array(part.sources[(short + 1)...])
                part.sources = Array(part.sources[...short])
                let endMs = part.sources[short].segment.startMs + ((result.sources[short].lastPtsMs ?? part.sources[short].fromPtsMs) - part.sources[short].segment.firstPtsMs)
                let lostEnd = rest[0].segment.startMs + (rest[0].fromPtsMs - rest[0].segment.firstPtsMs)
                holes.append(Hole(interval: Interval(startMs: min(endMs, lostEnd), endMs: lostEnd),
                                  cause: "source file \(part.sources[short].segment.path) ended early: \(result.sources[short].endReason ?? "truncated or damaged since it was indexed")"))
                let next = ExportPlan.Part(number: 0, start: Instant(ms: lostEnd), end: part.end, codec: part.codec, width: part.width,
                                           height: part.height, sources: rest, estimatedBytes: 0)
                part.end = Instant(ms: endMs)
                queue.insert(next, at: queue.startIndex)
                result = try copy(part, to: temp, camera: camera, request: request)
            }
            var c = clip(for: part, camera: camera, plan: plan)
            c.duration_seconds = Double(result.durationMs) / 1000
            c.packets = result.packets
            c.ends_at = TimeFormat.rfc3339(part.start + result.durationMs, in: camera.zone)
            for (i, source) in result.sources.enumerated() where i < c.sources.count {
                c.sources[i].packets = source.packets
                c.sources[i].ended_early = source.endedEarly
                c.sources[i].note = source.endReason
            }
            Self.recordAsRead(&c, indexed: part.sources, zone: camera.zone)
            written.append(Written(temp: temp, clip: c))
        }
        var clips: [Manifest.Clip] = []
        let hashes = sourceHashes.wait()
        for (i, w) in written.enumerated() {
            var c = w.clip
            for j in c.sources.indices {
                let hashed = hashes[c.sources[j].path]
                c.sources[j].sha256 = hashed?.sha256
                c.sources[j].sha256_read_at = hashed.map { TimeFormat.rfc3339($0.readAt, in: camera.zone) }
            }
            c.part = i + 1
            c.file = written.count == 1 ? "\(camera.id)_\(stamp).mp4" : "\(camera.id)_\(stamp)_part\(i + 1).mp4"
            let final = try Self.inside(dir, c.file)
            if FileManager.default.fileExists(atPath: final), !request.force {
                throw CamindexError.runtime("\(final) exists: not overwritten (use --force)", code: .exportExists, value: final)
            }
            if request.dryRun {
                clips.append(c)
                continue
            }
            guard rename(w.temp, final) == 0 else {
                throw CamindexError.runtime("cannot rename \(w.temp) to \(final): \(String(cString: strerror(errno)))", code: .outputFailed, value: final)
            }
            c.sha256 = try SHA256Hex.ofFile(final)
            c.bytes = (try? FileManager.default.attributesOfItem(atPath: final)[.size] as? NSNumber)?.int64Value ?? 0
            progress?("\(camera.id): wrote \(c.file): \(c.bytes / 1_000_000) MB, \(String(format: "%.1f", c.duration_seconds ?? 0)) s")
            clips.append(c)
        }
        return clips
    }

    /// Where a source's copy starts, in wall-clock time.
    static func wallStart(_ s: ExportPlan.Source) -> Instant { Instant(ms: s.segment.startMs + (s.fromPtsMs - s.segment.firstPtsMs)) }

    /// The sources' size and mtime as the export read them; the indexed ones beside them when
    /// the file changed since it was indexed.
    static func recordAsRead(_ clip: inout Manifest.Clip, indexed: [ExportPlan.Source], zone: TimeZone) {
        for (i, s) in indexed.enumerated() where i < clip.sources.count {
            // Read as the indexer reads it, so that an unchanged file compares equal.
            guard let (size, mtimeMs) = Indexer.stat(s.segment.path) else { continue }
            clip.sources[i].bytes = size
            clip.sources[i].mtime = TimeFormat.rfc3339(Instant(ms: mtimeMs), in: zone)
            if size != s.segment.size || mtimeMs != s.segment.mtimeMs {
                clip.sources[i].indexed_bytes = s.segment.size
                clip.sources[i].indexed_mtime = TimeFormat.rfc3339(Instant(ms: s.segment.mtimeMs), in: zone)
            }
        }
    }

    private func copyWhole(_ source: String, to temp: String, camera: Camera) throws {
        try? FileManager.default.removeItem(atPath: temp)
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temp)
        } catch {
            throw CamindexError.runtime("cannot copy \(source): \(ErrorText.of(error))", code: .outputFailed, value: source)
        }
    }

    private func copy(_ part: ExportPlan.Part, to temp: String, camera: Camera, request: Request) throws -> ClipResult {
        do {
            return try ClipWriter.write(sources: part.sources.map { ClipSource(path: $0.segment.path, fromPtsMs: $0.fromPtsMs, toPtsMs: $0.toPtsMs) },
                                        to: temp, creationTime: part.start, timeout: request.clipTimeout, cancel: request.cancel)
        } catch {
            // The camera is named once, by whoever reports the failure.
            throw CamindexError.runtime("\(part.sources.first?.segment.path ?? ""): \(error.message)", code: error.identifier, value: camera.id)
        }
    }

    /// The manifest entry of a planned part, before it is written.
    private func clip(for part: ExportPlan.Part, camera: Camera, plan: ExportPlan) -> Manifest.Clip {
        let z = camera.zone
        return Manifest.Clip(
            file: "", part: 0, sha256: nil, bytes: 0, estimated_bytes: part.estimatedBytes, duration_seconds: nil, packets: nil,
            codec: part.codec, width: part.width, height: part.height, starts_at: TimeFormat.rfc3339(part.start, in: z),
            ends_at: TimeFormat.rfc3339(part.end, in: z), from_offset_seconds: Double(max(0, plan.range.start.ms - part.start.ms)) / 1000,
            sources: part.sources.map { s in
                Manifest.SourceFile(path: s.segment.path, bytes: s.segment.size, mtime: TimeFormat.rfc3339(Instant(ms: s.segment.mtimeMs), in: z),
                                    indexed_bytes: nil, indexed_mtime: nil, sha256: nil, sha256_read_at: nil, packets: nil, ended_early: false, note: nil)
            })
    }

    /// An export inside a camera's recordings directory would be indexed as that camera's
    /// footage: refused, paths compared with symbolic links resolved.
    private func refuseInsideRecordings(_ dir: String) throws {
        let output = Paths.real(dir)
        for camera in try store.cameras(in: nil, includeDisabled: true) {
            guard let recordings = camera.recordings else { continue }
            let r = Paths.real(recordings)
            if output == r || output.hasPrefix(r.hasSuffix("/") ? r : r + "/") {
                throw CamindexError.usage("--output \(dir) is inside camera \(camera.id)'s recordings directory \(recordings): its clips would be indexed as that camera's footage; export elsewhere",
                                          code: .exportOutputInRecordings, value: dir)
            }
        }
    }

    /// What the output directory must be: a directory (or one that can be made) this user can
    /// write, without an earlier export's manifest unless `force`.
    private func check(_ dir: String, force: Bool) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw CamindexError.usage("--output \(dir) is a file, not a directory", code: .outputFailed, value: dir)
            }
            let manifest = (dir as NSString).appendingPathComponent(Self.manifestName)
            if FileManager.default.fileExists(atPath: manifest), !force {
                let stopped = (try? Self.loadManifest(dir))?.complete == false
                throw CamindexError.runtime(stopped
                    ? "\(manifest) exists: an export into \(dir) was stopped before it was done (its manifest is marked incomplete); run it again with --force to replace it, or choose another --output"
                    : "\(manifest) exists: an earlier export is there; choose another --output or use --force",
                    code: .exportExists, value: manifest)
            }
            guard access(dir, W_OK | X_OK) == 0 else {
                throw CamindexError.runtime("cannot write into \(dir): \(String(cString: strerror(errno)))", code: .outputFailed, value: dir)
            }
        } else {
            var parent = (dir as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != "/", !FileManager.default.fileExists(atPath: parent) { parent = (parent as NSString).deletingLastPathComponent }
            guard access(parent.isEmpty ? "/" : parent, W_OK | X_OK) == 0 else {
                throw CamindexError.runtime("cannot create \(dir): \(parent) is not writable (\(String(cString: strerror(errno))))", code: .outputFailed, value: dir)
            }
        }
    }

    /// With --force: the clips an earlier export's manifest lists and any partial clip left by
    /// an interrupted write go first, so that none stays unlisted beside the new manifest.
    private func removeEarlierExport(_ dir: String) throws {
        if let earlier = try? Self.loadManifest(dir) {
            for f in earlier.files {
                guard let path = try? Self.inside(dir, f.file) else { continue }
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        // The earlier signature and record go too: neither may stand beside another manifest.
        for name in [Self.signatureName, Self.recordName] { try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name)) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".partial") {
            try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
        }
    }

    /// The output directory, created if missing (0750: evidence is not for every local user).
    private func create(_ dir: String) throws {
        guard !FileManager.default.fileExists(atPath: dir) else { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw CamindexError.runtime("cannot create \(dir): \(ErrorText.of(error))", code: .outputFailed, value: dir)
        }
    }

    /// What the extraction record says beyond the manifest, read before any clip is written.
    struct RecordFacts {
        var host: String
        var county: Region?
        var clockOffsets: [String: (seconds: Double, at: String)]
    }

    private func recordFacts(_ cameras: [Camera]) throws -> RecordFacts {
        let states = try store.liveStates(cameraIDs: cameras.map(\.id))
        var offsets: [String: (seconds: Double, at: String)] = [:]
        for camera in cameras {
            if let probe = states[camera.id]?.lastFullProbe, let s = probe.clockOffsetS {
                offsets[camera.id] = (s, TimeFormat.rfc3339(probe.at, in: camera.zone))
            }
        }
        let county = try store.regionList(under: nil).min { ($0.code.count, $0.code) < ($1.code.count, $1.code) }
        return RecordFacts(host: ExtractionRecord.hostName(), county: county, clockOffsets: offsets)
    }

    /// The store's signing key (`STORE.signing-key`), made when `create` and there is none; a
    /// dry run only checks the one there is (nil when none, or for a store in memory).
    private func signingKey(create: Bool) throws -> ManifestSigningKey? {
        guard let storePath = store.path else {
            if create { throw CamindexError.runtime("a store in memory has no signing key: an export is made from a county's store file", code: .outputFailed) }
            return nil
        }
        let path = ManifestSigningKey.path(forStore: storePath)
        do {
            return create ? try ManifestSigningKey.loadOrCreate(path: path, owner: storePath) : try ManifestSigningKey.load(path: path)
        } catch let error as CamindexError {
            throw CamindexError(error.kind, "the export's manifest cannot be signed, nothing was exported: \(error.message)", code: error.code, value: error.value)
        }
    }

    /// All or nothing: manifest.json, its signature, the extraction record and manifest.txt are
    /// each written whole under a temporary name, and only when all four are are they renamed
    /// into place (manifest.json first: the export's mark); if one cannot be, the ones already
    /// renamed go too, and the error names the file.
    private func writeManifest(_ manifest: Manifest, dir: String, key: ManifestSigningKey, facts: RecordFacts, zone: TimeZone) throws -> String {
        let json = try Self.inside(dir, Self.manifestName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let manifestBytes = try encoder.encode(manifest) + Data("\n".utf8)
        let signature = try ManifestSignature.sign(manifestBytes, file: Self.manifestName, with: key,
                                                   at: TimeFormat.rfc3339(store.clock.now(), in: zone))
        let record = ExtractionRecord(manifest: manifest, operatorName: user, operatorRole: role, host: facts.host, county: facts.county,
                                      clockOffsets: facts.clockOffsets, manifestSHA256: SHA256Hex.of(manifestBytes), signature: signature)
        let contents: [String: Data] = [
            Self.manifestName: manifestBytes, Self.signatureName: try signature.encoded(),
            Self.recordName: Data(record.html().utf8), Self.manifestTextName: Data(Self.text(manifest).utf8),
        ]
        let files = try Self.recordNames.map { (name: $0, path: try Self.inside(dir, $0), data: contents[$0]!) }
        let temps = files.map { "\(dir)/.\($0.name).partial" }
        var placed: [String] = []
        do {
            for (temp, file) in zip(temps, files) {
                do { try file.data.write(to: URL(fileURLWithPath: temp)) } catch {
                    throw CamindexError.runtime("cannot write \(file.path): \(Self.message(error))",
                                                code: ErrorText.isNoSpace(error) ? .exportNoSpace : .outputFailed, value: file.path)
                }
            }
            for (temp, file) in zip(temps, files) {
                guard rename(temp, file.path) == 0 else {
                    throw CamindexError.runtime("cannot write \(file.path): \(String(cString: strerror(errno)))", code: .outputFailed, value: file.path)
                }
                placed.append(file.path)
            }
        } catch {
            for temp in temps { try? FileManager.default.removeItem(atPath: temp) }
            for path in placed { try? FileManager.default.removeItem(atPath: path) }
            try? FileManager.default.removeItem(atPath: json)
            throw error
        }
        return json
    }

    static let lockName = ".camindex-export.lock"

    /// Room kept for the manifests while the clips fill the disk: a file of about their size,
    /// removed just before they are written. A clip that finds the disk full fails its camera
    /// (the others go on); the manifests still fit and say so.
    struct ManifestRoom {
        let path: String

        init(dir: String, cameras: Int, sources: Int) throws {
            path = dir + "/.manifest-room.partial"
            // Both manifests take about 2 KB a camera and 0.5 KB a source file (measured), the
            // extraction record about 2 KB a camera and 0.3 KB a clip, the signature 0.5 KB: room
            // for about twice that.
            let bytes = min(64 << 20, 48 << 10 + cameras * 8 << 10 + sources * 3 << 10)
            do { try Data(count: bytes).write(to: URL(fileURLWithPath: path)) } catch {
                try? FileManager.default.removeItem(atPath: path)
                throw CamindexError.runtime(ErrorText.isNoSpace(error)
                    ? "no space left on the device holding \(dir): not even room for the export's manifests (\(bytes / 1024) KiB); nothing was exported"
                    : "cannot write into \(dir): \(ErrorText.of(error))",
                    code: ErrorText.isNoSpace(error) ? .exportNoSpace : .outputFailed, value: dir)
            }
        }

        func release() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// One export at a time into a directory: the lock is held until the manifests are written.
    private func lockOutput(_ dir: String) throws -> FileLock {
        let path = dir + "/" + Self.lockName
        do { return try FileLock(path: path, removeOnRelease: true) } catch .held(let pid) {
            throw Self.busy(dir, pid: pid)
        } catch .failed(let why) {
            throw CamindexError.runtime("cannot lock \(path): \(why)", code: .outputFailed, value: path)
        }
    }

    private func refuseIfBusy(_ dir: String) throws {
        if case let .some(pid) = FileLock.holder(path: dir + "/" + Self.lockName) { throw Self.busy(dir, pid: pid) }
    }

    private static func busy(_ dir: String, pid: Int32?) -> CamindexError {
        .runtime("another export (\(pid.map { "pid \($0)" } ?? "another process")) is writing into \(dir): wait for it to finish, or choose another --output",
                 code: .exportBusy, value: dir)
    }

    /// `dir/name`, refused when `name` would lead outside `dir`.
    static func inside(_ dir: String, _ name: String) throws -> String {
        let path = URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)).standardizedFileURL.path
        guard !name.contains("/"), (path as NSString).deletingLastPathComponent == dir else {
            throw CamindexError.runtime("refusing to write \(name) outside \(dir)", code: .exportPathEscape, value: name)
        }
        return path
    }

    static let stopped = "stopped by a signal before it was done"

    static func fileStamp(_ t: Instant, zone: TimeZone) -> String {
        let c = CivilTime(msAsUTC: t.ms + Zones.offsetMs(zone, at: t))
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year)\(pad(c.month))\(pad(c.day))T\(pad(c.hour))\(pad(c.minute))\(pad(c.second))"
    }

    static func span(_ i: Interval, _ zone: TimeZone) -> Manifest.Span {
        .init(start: TimeFormat.rfc3339(i.start, in: zone), end: TimeFormat.rfc3339(i.end, in: zone), seconds: Double(i.durationMs) / 1000)
    }

    static func message(_ error: any Error) -> String { ErrorText.of(error) }

    /// The readable manifest: what a court clerk or an officer reads. Every value from outside
    /// (names, paths, the reason, messages) is shown with its control characters escaped: a
    /// newline in one cannot forge a line of it.
    static func text(_ m: Manifest) -> String {
        func p(_ s: String) -> String { Names.printable(s) }
        var out = ["camindex evidence export (调取录像)", "",
                   "exported at: \(m.exported_at) by \(p(m.user))", "reason: \(m.reason.map(p) ?? "-")",
                   "requested: \(m.requested.start) → \(m.requested.end)", "camindex \(m.camindex_version)"]
            + (m.complete != false ? [] : ["INCOMPLETE: the export was \(m.interrupted ?? "stopped") — only the clips listed here are whole"]) + [""]
        for c in m.cameras {
            out.append("camera \(p(c.id)) \(p(c.name)) — \(c.region_path.map { p($0.name) }.joined(separator: " / ")) (\(c.region.code))")
            if let e = c.error { out.append("  FAILED: \(p(e))") }
            if let a = c.actual { out.append("  footage exported: \(a.start) → \(a.end)") } else if c.error == nil { out.append("  no footage in the range") }
            for clip in c.clips {
                out.append("  \(p(clip.file)): \(clip.starts_at) → \(clip.ends_at), \(clip.codec) \(clip.width)x\(clip.height), \(clip.bytes) bytes")
                out.append("    sha256 \(clip.sha256 ?? "-")")
                if clip.from_offset_seconds > 0 { out.append("    the requested start is \(clip.from_offset_seconds) s into this clip") }
                for s in clip.sources {
                    out.append("    from \(p(s.path)) (\(s.bytes) bytes, mtime \(s.mtime), sha256 \(s.sha256 ?? "-")"
                        + (s.sha256_read_at.map { " of the whole file read at \($0)" } ?? "") + ")"
                        + (s.ended_early ? " — ended early: \(p(s.note ?? "truncated or damaged"))" : "")
                        + (s.indexed_bytes.map { " — changed since it was indexed (then \($0) bytes, mtime \(s.indexed_mtime ?? "?"))" } ?? ""))
                }
            }
            for h in c.holes {
                out.append("  hole (\(h.cause == nil ? "no footage" : "not exported")): \(h.start) → \(h.end) (\(h.seconds) s)" + (h.cause.map { ": \(p($0))" } ?? ""))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func loadManifest(_ directory: String) throws -> Manifest {
        let path = (directory as NSString).appendingPathComponent(manifestName)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CamindexError.runtime("no manifest at \(path): not an export directory", code: .exportNoManifest, value: path)
        }
        do { return try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw CamindexError.runtime("\(path) is not a camindex manifest: \(error)", code: .exportBadManifest, value: path)
        }
    }

    /// What `export verify` found.
    public struct Verification: Sendable {
        public var checked: Int
        /// Clips changed or missing, clips on disk the manifest does not list, partial clips
        /// left by an interrupted write, names that would leave the directory (never hashed);
        /// a signature that is missing or does not verify, or is not by the key asked for.
        public var problems: [String]
        /// The manifest says the export was stopped before it was done.
        public var incomplete: Bool
        /// What the signature says, when there is one.
        public var signature: SignatureCheck?
        /// The SHA-256 of manifest.json as it is now.
        public var manifestSHA256: String
        /// What the extraction record names: nil when there is none.
        public var recordMatches: Bool?
        /// Worth saying, not a failure: an extraction record naming another manifest, a key
        /// that is not this store's.
        public var warnings: [String]
    }

    /// The signature of an export's manifest, as `export verify` found it.
    public struct SignatureCheck: Sendable {
        public var publicKey: String
        public var keyID: String
        public var signedAt: String
        /// The signature is the manifest's by the public key it names.
        public var verifies: Bool
        /// Why not, when it does not.
        public var problem: String?
        /// Whether the key is the store's (nil: no store key to compare with).
        public var isStoreKey: Bool?
        /// Whether the key is the one given (`--public-key`; nil: none given).
        public var isExpectedKey: Bool?
    }

    /// Re-hashes every clip a manifest lists, and looks for clips it does not list.
    public static func verify(directory: String) throws -> Verification {
        try verify(directory: directory, expectedKey: nil, storeKey: nil)
    }

    /// Also checks `manifest.json.sig` against the manifest's bytes — by `expectedKey` when given
    /// (a signature by another is a problem), and says whether its key is `storeKey` — and that
    /// the extraction record, when there is one, names the manifest's hash.
    public static func verify(directory: String, expectedKey: ManifestPublicKey?, storeKey: ManifestPublicKey?) throws -> Verification {
        // As the export names its directory: a relative one (`verify out`) would not compare.
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        let manifest = try loadManifest(directory)
        var problems: [String] = []
        var warnings: [String] = []
        var listed = Set<String>()
        for f in manifest.files {
            guard let file = try? inside(directory, f.file) else {
                problems.append("\(Names.printable(f.file)): refused, the name leaves the export directory (not hashed)")
                continue
            }
            listed.insert(f.file)
            guard FileManager.default.fileExists(atPath: file) else { problems.append("\(f.file): missing"); continue }
            let hash = try SHA256Hex.ofFile(file)
            if hash != f.sha256 { problems.append("\(f.file): changed (sha256 \(hash), manifest says \(f.sha256))") }
        }
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            if name.hasPrefix("."), name.hasSuffix(".partial") {
                problems.append("\(Names.printable(name)): a partial clip left by an interrupted write")
            } else if !name.hasPrefix("."), name.lowercased().hasSuffix(".mp4"), !listed.contains(name) {
                problems.append("\(Names.printable(name)): a clip the manifest does not list")
            }
        }
        let manifestBytes = (try? Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(manifestName)))) ?? Data()
        let manifestHash = SHA256Hex.of(manifestBytes)
        var check: SignatureCheck?
        let sigPath = (directory as NSString).appendingPathComponent(signatureName)
        if let data = FileManager.default.contents(atPath: sigPath) {
            if let sig = try? JSONDecoder().decode(ManifestSignature.self, from: data) {
                var c = SignatureCheck(publicKey: sig.public_key, keyID: sig.publicKey?.keyID ?? sig.key_id, signedAt: sig.signed_at,
                                       verifies: false, problem: nil, isStoreKey: nil, isExpectedKey: nil)
                if sig.signed_file != manifestName {
                    c.problem = "it signs '\(Names.printable(sig.signed_file))', not \(manifestName)"
                } else {
                    c.problem = sig.problem(with: manifestBytes)
                }
                c.verifies = c.problem == nil
                if let problem = c.problem { problems.append("\(signatureName): \(problem)") }
                if let key = sig.publicKey {
                    c.isStoreKey = storeKey.map { $0 == key }
                    c.isExpectedKey = expectedKey.map { $0 == key }
                }
                if let expectedKey, c.isExpectedKey != true {
                    problems.append("\(signatureName): signed by key \(c.keyID), not by the key given (\(expectedKey.keyID))")
                } else if c.verifies, c.isStoreKey == false {
                    warnings.append("the signature verifies, but by another key (\(c.keyID)) than this store's (\(storeKey!.keyID)): check it against the county's key (--public-key)")
                }
                check = c
            } else {
                problems.append("\(signatureName): not a camindex signature (it does not parse)")
            }
        } else {
            problems.append("\(signatureName): missing: the manifest is not signed, nothing says who wrote it")
        }
        var recordMatches: Bool?
        let recordPath = (directory as NSString).appendingPathComponent(recordName)
        if let data = FileManager.default.contents(atPath: recordPath) {
            let named = ExtractionRecord.manifestHash(in: String(decoding: data, as: UTF8.self))
            recordMatches = named == manifestHash
            if named != manifestHash {
                warnings.append("\(recordName) " + (named.map { "names manifest sha256 \($0), but \(manifestName) has \(manifestHash)" } ?? "names no manifest hash")
                                + ": it is not the record of this manifest")
            }
        }
        return Verification(checked: manifest.files.count, problems: problems, incomplete: manifest.complete == false, signature: check,
                            manifestSHA256: manifestHash, recordMatches: recordMatches, warnings: warnings)
    }
}
