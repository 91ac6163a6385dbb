import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct CameraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera",
        abstract: "Register, list, show, update and remove cameras; their last keyframe thumbnails.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Thumb.self]
    )
}

/// Camera fields shared by `add` and `update`.
struct CameraFields: ParsableArguments {
    @Option(help: "Display name, e.g. 沙河镇政府门口.") var name: String?
    @Option(help: ArgumentHelp("Township or village it belongs to (code or exact name).", valueName: "region"))
    var region: String?
    @Option(help: ArgumentHelp("Live stream: rtsp://, rtsps://, http(s):// (HLS, HTTP-FLV). Credentials are kept in the store only.", valueName: "url"))
    var url: String?
    @Option(help: ArgumentHelp("Directory of the camera's recorded segment files.", valueName: "dir"))
    var recordings: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Latitude, decimal degrees (with --lon).", valueName: "deg")) var lat: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp("Longitude, decimal degrees (with --lat).", valueName: "deg")) var lon: Double?
    @Option(help: ArgumentHelp("The camera's time zone (IANA), for file names and display. Default Asia/Shanghai.", valueName: "tz"))
    var timezone: String?
    @Option(help: ArgumentHelp("""
        How its segment files are named, if not one of the built-in layouts: %Y %m %d %H %M %S, \
        <name> for any one path component, * for any characters. Frigate: '%Y-%m-%d/%H/<camera>/%M.%S.mp4'.
        """, valueName: "pattern"))
    var pathPattern: String?
    @Option(help: ArgumentHelp("Time zone of the times in file paths, if not the camera's (Frigate writes UTC).", valueName: "tz"))
    var pathTimezone: String?
    @Option(name: .customLong("quality-threshold"), help: ArgumentHelp("""
        A picture-quality threshold for this camera (repeatable): \(PictureThresholds.names.joined(separator: ", ")); \
        e.g. black_luma=12 for a dark scene at night.
        """, valueName: "name=value"))
    var qualityThresholds: [String] = []

    func validate() throws {
        if let name, name.trimmingCharacters(in: .whitespaces).isEmpty { throw CamindexError.usage("--name is empty") }
        if (lat == nil) != (lon == nil) { throw CamindexError.usage("--lat and --lon go together") }
        if let lat, let lon { _ = try Coordinate(lat: lat, lon: lon) }
        if let url { _ = try StreamURL(url) }
        if let timezone { _ = try Zones.named(timezone) }
        if let pathTimezone { _ = try Zones.named(pathTimezone) }
        if let pathPattern { _ = try PathTimestamp(pattern: pathPattern) }
        for t in qualityThresholds { _ = try PictureThresholds.parseOverride(t) }
    }

    /// The fields given, as the service takes them.
    func edit() throws -> CameraEdit {
        var e = CameraEdit()
        e.name = name
        e.region = region
        e.url = url
        e.recordings = recordings.map(Self.absolute)
        if let lat, let lon { e.location = try Coordinate(lat: lat, lon: lon) }
        e.timezone = timezone
        e.pathPattern = pathPattern
        e.pathTimezone = pathTimezone
        e.qualityThresholds = qualityThresholds
        return e
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
}

extension CameraCommand {
    struct Add: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Register a camera in a township or village.",
            discussion: """
                ID is a 20-digit GB/T 28181 device ID (digits 11-13 give the type: 131 camera, 132 IPC) \
                or a local slug of letters, digits, '-', '_', '.'.

                camindex camera add 62072300001320000001 --name 沙河镇政府门口 --region 沙河镇 \\
                    --url 'rtsp://admin:PASSWORD@cam-7.example:554/Streaming/Channels/101' \\
                    --recordings /srv/nvr/62072300001320000001 --lat 39.1412 --lon 100.1646
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "20-digit GB/T 28181 ID or a local slug.") var id: String
        @OptionGroup var fields: CameraFields
        @Flag(help: "Refuse a GB/T 28181 ID whose centre code names another county than the region's.") var strict = false

        func validate() throws {
            _ = try CameraID(id)
            guard fields.name != nil else { throw CamindexError.usage("missing --name NAME") }
            guard fields.region != nil else { throw CamindexError.usage("missing --region CODE|NAME (a township or village)") }
        }

        func run() throws {
            let added = try global.service(.create).addCamera(id: id, try fields.edit(), strict: strict)
            let camera = added.camera
            var line = "added camera \(camera.id) (\(camera.name)) in \(added.region?.name ?? "") (\(camera.regionCode))"
            if let gb = (try? CameraID(camera.id))?.gb28181 { line += "; GB/T 28181 type \(gb.typeCode) \(gb.typeName)" }
            print(line)
        }
    }

    struct List: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List cameras, optionally of one region.",
            discussion: """
                  camindex camera list --region 沙河镇
                  camindex camera list --all --format csv > cameras.csv
                  camindex camera list --unplaced
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only cameras in this region and under it (code or name).", valueName: "region"))
        var region: String?
        @Flag(help: "Include disabled cameras (removed from the inventory).") var all = false
        @Flag(help: "Only cameras a GB/T 28181 catalog could place only at the county (their CivilCode names no township).")
        var unplaced = false
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() throws {
            let listing = try global.service(.read).cameraList(region: region, includeDisabled: all, unplaced: unplaced)
            let (root, cameras, regions) = (listing.root, listing.cameras, listing.regions)
            switch format {
            case .json:
                try Output.json(cameras.map { CameraJSON($0, regions: regions) })
            case .csv:
                Output.csv(header: ["id", "name", "region_code", "region_name", "url", "recordings", "lat", "lon", "timezone", "enabled"],
                           rows: cameras.map {
                               [$0.id, $0.name, $0.regionCode, regions[$0.regionCode]?.name ?? "", $0.redactedURL ?? "",
                                $0.recordings ?? "", $0.lat.map { "\($0)" } ?? "", $0.lon.map { "\($0)" } ?? "", $0.timezone,
                                $0.enabled ? "true" : "false"]
                           })
            case .table:
                if cameras.isEmpty {
                    print("no cameras\(root.map { " in \($0.name)" } ?? "")")
                    return
                }
                print(Output.table(header: ["ID", "NAME", "REGION", "URL", "RECORDINGS"] + (all ? ["ENABLED"] : []), rows: cameras.map {
                    [$0.id, $0.name, regions[$0.regionCode]?.name ?? $0.regionCode, $0.redactedURL ?? "-", $0.recordings ?? "-"]
                        + (all ? [$0.enabled ? "yes" : "no"] : [])
                }))
            }
        }
    }

    struct Show: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Show a camera: registry fields, footage indexed, files that failed.",
            discussion: """
                Also its live state and recent probes, picture quality, and where its footage's \
                times came from. Recorded in the audit trail.

                  camindex camera show 62072300001320000001
                  camindex camera show 62072300001320000001 --format json --reason '案件 2026-118'
                  camindex camera show 62072300001320000001 --files 100
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Camera ID.") var id: String
        @Option(help: "table or json.") var format: TableOrJSON = .table
        @Option(help: "How many indexed files to list, the latest footage first, with where their times came from.")
        var files = 10
        @OptionGroup var audit: AuditOptions

        func validate() throws {
            guard (0...1000).contains(files) else { throw CamindexError.usage("--files is from 0 to 1000", value: "\(files)") }
        }

        func run() throws {
            let detail = try global.service(.read).cameraDetail(id: id, files: files, reason: audit.reason)
            let (camera, regions, summary, errors, live, history) = (detail.camera, detail.regions, detail.footage, detail.indexErrors, detail.live, detail.probes)
            let zone = camera.zone
            func t(_ i: Instant?) -> String? { i.map { TimeFormat.rfc3339($0, in: zone) } }
            switch format {
            case .json:
                try Output.json(CameraShowJSON(detail))
            case .table:
                var rows: [[String]] = [
                    ["id", camera.id],
                    ["name", camera.name],
                    ["region", "\(regionPathNames(camera.regionCode, regions)) (\(camera.regionCode))"],
                ]
                if let gb = (try? CameraID(camera.id))?.gb28181 {
                    rows.append(["GB/T 28181", "type \(gb.typeCode) \(gb.typeName), industry \(gb.industryCode), network \(gb.networkCode), center \(gb.centerCode)"])
                }
                rows += [
                    ["url", camera.redactedURL ?? "-"],
                    ["recordings", camera.recordings ?? "-"],
                    ["location", camera.lat.map { "\($0), \(camera.lon!)" } ?? "-"],
                    ["time zone", camera.timezone],
                ]
                if let p = camera.pathPattern { rows.append(["path pattern", p + (camera.pathTimezone.map { " (\($0))" } ?? "")]) }
                rows.append(["enabled", camera.enabled ? "yes" : "no (removed from \(camera.source ?? "the inventory"))"])
                if let live {
                    var line = "\(live.state.rawValue) since \(TimeFormat.rfc3339(live.since, in: zone))"
                    if live.consecutiveFailures > 0 { line += ", \(live.consecutiveFailures) failed probes in a row" }
                    rows.append(["state", line])
                    let p = live.lastProbe
                    rows.append(["last probe", "\(TimeFormat.rfc3339(p.at, in: zone)) \(p.depth.rawValue): "
                        + (p.ok ? "ok in \(p.durationMs) ms" : "\(p.error?.rawValue ?? "failed") — \(p.message ?? "")")])
                    if let f = live.lastFullProbe {
                        var stream = [f.codec.map { $0 + (f.profile.map { " \($0)" } ?? "") }, f.width.map { "\($0)x\(f.height ?? 0)" },
                                      f.fps.map { String(format: "%.2f fps", $0) }, f.bitrateKbps.map { String(format: "%.0f kbit/s", $0) },
                                      f.keyframeIntervalS.map { String(format: "GOP %.2f s", $0) }].compactMap { $0 }
                        if let o = f.clockOffsetS { stream.append(String(format: "clock %+.3f s", o)) }
                        rows.append(["stream", stream.joined(separator: ", ") + " (\(TimeFormat.rfc3339(f.at, in: zone)))"])
                        if let q = f.quality { rows.append(["picture", PictureVerdict.summary(q) + " (\(TimeFormat.rfc3339(f.at, in: zone)))"]) }
                    }
                } else {
                    rows.append(["state", camera.url == nil ? "unknown (no live URL)" : "unknown (not probed yet: is the daemon running?)"])
                }
                if !camera.qualityThresholds.isEmpty {
                    rows.append(["quality thresholds", camera.qualityThresholds.sorted { $0.key < $1.key }.map { "\($0.key)=\(PictureVerdict.number($0.value))" }.joined(separator: ", ")])
                }
                if let s = camera.source { rows.append([s.hasPrefix("gb28181:") ? "source" : "inventory", s]) }
                if let g = detail.gb {
                    var device = g.deviceID
                    if let d = g.device {
                        device += d.online ? " online since \(TimeFormat.rfc3339(d.since, in: zone))"
                            : " offline since \(TimeFormat.rfc3339(d.since, in: zone))" + (d.reason.map { " (\($0))" } ?? "")
                    }
                    rows.append(["GB device", device])
                    rows.append(["GB status", "\(g.status ?? "-") in the catalog of \(TimeFormat.rfc3339(g.updatedAt, in: zone))"
                        + (g.online ? ": online" : ": not online") + ([g.manufacturer, g.model].compactMap { $0 }.isEmpty ? "" : ", " + [g.manufacturer, g.model].compactMap { $0 }.joined(separator: " "))])
                    if !g.placed { rows.append(["warning", "its CivilCode (\(g.civilCode ?? "none")) names no township or village: placed at the county (camera list --unplaced)"]) }
                }
                rows.append(["segments", "\(summary.segments - summary.failed) indexed, \(summary.unverified) unverified, \(summary.failed) failed"
                    + (summary.lowConfidence > 0 ? ", \(summary.lowConfidence) timed by mtime only" : "")
                    + ((summary.timeSources[.chained] ?? 0) > 0 ? ", \(summary.timeSources[.chained]!) timed from the previous file's end" : "")
                    + (summary.badTimestamps > 0 ? ", \(summary.badTimestamps) timestamps not believed" : "")
                    + (summary.stalledSegments > 0 ? ", \(summary.stalledSegments) with timestamps: stalled (re-timed, low confidence)" : "")])
                if let h = summary.pathZoneOffsetHours { rows.append(["warning", FootageSummary.pathZoneWarning(hours: h)]) }
                if let ahead = summary.mtimeAheadMs(of: detail.now) { rows.append(["warning", FootageSummary.mtimeAheadWarning(aheadMs: ahead)]) }
                if let first = summary.first, let last = summary.last {
                    rows.append(["footage", "\(TimeFormat.rfc3339(first, in: zone)) → \(TimeFormat.rfc3339(last, in: zone)), \(TextFormat.duration(ms: summary.coveredMs)) covered"])
                }
                print(Output.table(header: ["FIELD", "VALUE"], rows: rows))
                if !history.isEmpty {
                    print("\nprobe history (full probes, failures, state changes; newest first):")
                    print(Output.table(header: ["AT", "DEPTH", "RESULT", "TOOK"], rows: history.map { p in
                        [TimeFormat.rfc3339(p.at, in: zone), p.depth.rawValue, p.ok ? "ok" : (p.error?.rawValue ?? "failed"), "\(p.durationMs) ms"]
                    }, rightAligned: [3]))
                }
                if !detail.files.isEmpty {
                    print("\nrecent files (latest footage first):")
                    print(Output.table(header: ["START", "END", "TIME FROM", "VIDEO", "SIZE", "PATH"], rows: detail.files.map { f in
                        var checks = [f.verified ? nil : "unverified", f.truncated ? "truncated" : nil,
                                      f.stalledTimestamps > 0 ? "stalled" : nil, f.badTimestamps > 0 ? "\(f.badTimestamps) bad timestamps" : nil].compactMap { $0 }
                        if f.startSource == .mtime { checks.insert("low confidence", at: 0) }
                        return [TimeFormat.rfc3339(Instant(ms: f.startMs), in: zone), TimeFormat.rfc3339(Instant(ms: f.endMs), in: zone),
                                (f.startSource?.rawValue ?? "-") + (checks.isEmpty ? "" : " (\(checks.joined(separator: ", ")))"),
                                [f.codec, f.width.map { "\($0)x\(f.height ?? 0)" }].compactMap { $0 }.joined(separator: " "),
                                TextFormat.bytes(f.size), f.path]
                    }, rightAligned: [4]))
                }
                if !errors.isEmpty {
                    print("\nfiles that could not be indexed:")
                    for e in errors { print("  \(e.path): \(e.message)") }
                }
            }
        }
    }

    struct Update: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Change a camera's fields; only those given change.",
            discussion: """
                camindex camera update 62072300001320000001 --url 'rtsp://admin:NEWPASSWORD@cam-7.example/ch1' --region 620723100201
                camindex camera update 62072300001320000001 --quality-threshold black_luma=12 --quality-threshold noise=55
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Camera ID.") var id: String
        @OptionGroup var fields: CameraFields
        @Flag(help: "Forget the live URL.") var clearUrl = false
        @Flag(help: "Forget the recordings directory.") var clearRecordings = false
        @Flag(help: "Forget the location.") var clearLocation = false
        @Flag(help: "Forget the path pattern (use the built-in layouts).") var clearPathPattern = false
        @Flag(help: "Forget the camera's picture-quality thresholds (use the defaults).") var clearQualityThresholds = false
        enum Availability: String, EnumerableFlag {
            case enable, disable
            static func help(for value: Availability) -> ArgumentHelp? {
                value == .enable ? "Use the camera again." : "Stop probing and indexing the camera; its index is kept."
            }
        }
        @Flag var availability: Availability?

        func validate() throws {
            if clearUrl && fields.url != nil { throw CamindexError.usage("--url and --clear-url contradict each other") }
            if clearRecordings && fields.recordings != nil { throw CamindexError.usage("--recordings and --clear-recordings contradict each other") }
            if clearLocation && fields.lat != nil { throw CamindexError.usage("--lat/--lon and --clear-location contradict each other") }
            if clearPathPattern && fields.pathPattern != nil { throw CamindexError.usage("--path-pattern and --clear-path-pattern contradict each other") }
            if clearQualityThresholds && !fields.qualityThresholds.isEmpty {
                throw CamindexError.usage("--quality-threshold and --clear-quality-thresholds contradict each other")
            }
        }

        func run() throws {
            var edit = try fields.edit()
            edit.clearURL = clearUrl
            edit.clearRecordings = clearRecordings
            edit.clearLocation = clearLocation
            edit.clearPathPattern = clearPathPattern
            edit.clearQualityThresholds = clearQualityThresholds
            edit.enabled = availability.map { $0 == .enable }
            let (camera, changed) = try global.service(.write).updateCamera(id: id, edit)
            guard !changed.isEmpty else {
                print("camera \(camera.id): nothing to change")
                return
            }
            print("updated camera \(camera.id): \(changed.joined(separator: ", "))")
        }
    }

    struct Remove: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Remove a camera with its footage index (the files are not touched).",
            discussion: """
                To keep its index but stop using it: camindex camera update ID --disable

                  camindex camera remove cam-7
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Camera ID.") var id: String

        func run() throws {
            let camera = try global.service(.write).removeCamera(id: id)
            print("removed camera \(camera.id) (\(camera.name)) and its footage index")
        }
    }
}

extension CameraCommand {
    struct Thumb: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Write a camera's last keyframe in good order (or its last faulty one) as a JPEG.",
            discussion: """
                Full probes keep a 320-pixel JPEG of the keyframe they judged: the last one in good \
                order and the last one with a picture fault, so a technician sees what the camera sees.

                  camindex camera thumb 62072300001320000001 -o 镇政府.jpg
                  camindex camera thumb 62072300001320000001 --faulty -o 镇政府-fault.jpg
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Camera ID.") var id: String
        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The JPEG file to write.", valueName: "file")) var output: String
        @OptionGroup var audit: AuditOptions
        @Flag(help: "The last keyframe with a picture fault instead of the last good one.") var faulty = false

        func run() throws {
            let (camera, thumb) = try global.service(.read).thumbnail(cameraID: id, faulty: faulty, reason: audit.reason)
            guard FileManager.default.createFile(atPath: output, contents: Data(thumb.jpeg)) else {
                throw CamindexError.runtime("cannot write \(output): \(String(cString: strerror(errno)))", code: .outputFailed, value: output)
            }
            let faults = thumb.quality.isEmpty ? "" : ": " + PictureVerdict.summary(thumb.quality)
            print("wrote \(output): camera \(camera.id) keyframe of \(TimeFormat.rfc3339(thumb.at, in: camera.zone)) (\(thumb.jpeg.count) bytes)\(faults)")
        }
    }
}
