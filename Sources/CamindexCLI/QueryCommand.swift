import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct QueryCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Which cameras have footage for a place and time, and where the gaps are.",
        discussion: """
            Pick cameras by region (code or exact name; the region's townships and villages are \
            included), by camera ID, or by distance from a point. Every matching camera is listed, \
            also those with no footage in the range.

            Times are RFC 3339 (2026-11-20T14:00:00+08:00) or local (2026-11-20 14:00, or 14:00 \
            with --date); local times are read in the cameras' zone (Asia/Shanghai unless set).

              camindex query --region 沙河镇 --date yesterday --from 14:00 --to 15:10
              camindex query --camera 62072300001320000001 --from 2026-11-20T08:00 --to 2026-11-20T09:00 --format json
              camindex query --near 39.1412,100.1646 --radius 500 --from '2026-11-20 14:00' --to '2026-11-20 15:00'

            Windows merge when the hole between two pieces of footage is at most --max-gap seconds. \
            A window marked unverified rests on a container index not yet confirmed by a packet \
            scan (camindex index --verify). Footage a GB/T 28181 device keeps (RecordInfo, \
            daemon --sip) where no file here has it is marked on-device ("source": "device" in \
            JSON): it has no keyframes and is not exported from here.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectionOptions
    @Option(help: ArgumentHelp("Start of the range.", valueName: "time")) var from: String
    @Option(help: ArgumentHelp("End of the range.", valueName: "time")) var to: String
    @OptionGroup var time: TimeOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Bridge holes up to this many seconds.", valueName: "seconds")) var maxGap: Double = 2
    @Flag(help: "Include disabled cameras.") var includeDisabled = false
    @Flag(help: "Also show when each camera was online live (from the daemon's probes).") var live = false
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @OptionGroup var audit: AuditOptions

    func validate() throws {
        // A day at most: beyond, a hole is no hole anyone bridges (and 1e300 s is no number of milliseconds).
        guard (0...86_400).contains(maxGap) else { throw CamindexError.usage("--max-gap is from 0 to 86400 seconds", value: "\(maxGap)") }
    }

    func run() throws {
        var query = FootageQuery(selector: try selection.selector(), from: from, to: to, date: time.date, timezone: time.timezone)
        query.maxGapMs = Int64((maxGap * 1000).rounded())
        query.includeDisabled = includeDisabled
        query.live = live
        let answer = try global.service(.read).footage(query, reason: audit.reason)
        switch format {
        case .json: try printJSON(answer)
        case .csv: printCSV(answer)
        case .table: printTable(answer)
        }
    }

    private func printJSON(_ answer: FootageAnswer) throws { try Output.json(FootageJSON(answer)) }

    private func printCSV(_ answer: FootageAnswer) {
        let regions = answer.regions
        var rows: [[String]] = []
        for r in answer.cameras {
            let z = r.camera.zone
            let head = [r.camera.id, r.camera.name, r.camera.regionCode, regions[r.camera.regionCode]?.name ?? ""]
            let spans = r.windows.map { ("window", $0.interval, $0.verified ? "true" : "false") } + r.gaps.map { ("gap", $0, "") }
            for (kind, span, verified) in spans.sorted(by: { $0.1.start < $1.1.start }) {
                rows.append(head + [kind, TimeFormat.rfc3339(span.start, in: z), TimeFormat.rfc3339(span.end, in: z),
                                    Output.secondsText(ms: span.durationMs), verified])
            }
        }
        Output.csv(header: ["camera_id", "camera_name", "region_code", "region_name", "kind", "start", "end", "seconds", "verified"], rows: rows)
    }

    private func printTable(_ answer: FootageAnswer) {
        let (results, range, zone, regions, title) = (answer.cameras, answer.range, answer.zone, answer.regions, answer.title)
        let near = selection.near != nil
        let withFootage = results.filter { !$0.windows.isEmpty }.count
        print("\(Names.printable(title)): \(TimeFormat.rfc3339(range.start, in: zone)) → \(TimeFormat.rfc3339(range.end, in: zone))")
        print("\(results.count) camera\(results.count == 1 ? "" : "s"), \(withFootage) with footage\n")
        guard !results.isEmpty else { return }
        let sameDay = TimeFormat.local(range.start, in: zone).prefix(10) == TimeFormat.local(range.end - 1, in: zone).prefix(10)
        func t(_ i: Instant, _ z: TimeZone) -> String { TimeFormat.local(i, in: z, date: !sameDay) }
        var rows: [[String]] = []
        for r in results {
            let flags = (r.windows.contains { !$0.verified && !$0.onDevice } ? " unverified" : "") + (r.windows.contains(where: \.onDevice) ? " on-device" : "")
                + (r.lowConfidence ? " approx-time" : "")
                + (r.timeQuality.stalledSegments > 0 ? " stalled-timestamps" : "")
                + (r.camera.enabled ? "" : " disabled")
            rows.append([r.camera.id, r.camera.name, regions[r.camera.regionCode]?.name ?? r.camera.regionCode]
                         + (near ? [r.distanceM.map { String(Int($0.rounded())) } ?? ""] : []) + [
                         TextFormat.duration(ms: r.coveredMs), Output.percent(Double(r.coveredMs) / Double(range.durationMs)),
                         Output.timeline(r.windows.map(\.interval), range: range) + flags])
            if let online = r.online {
                rows.append(["", "", ""] + (near ? [""] : []) + ["live", "", Output.timeline(online, range: range)])
            }
        }
        print(Output.table(header: ["CAMERA", "NAME", "REGION"] + (near ? ["METRES"] : []) + ["COVERED", "%", "TIMELINE"], rows: rows,
                           rightAligned: near ? [3, 4, 5] : [3, 4]))
        for r in results where !r.windows.isEmpty && !r.gaps.isEmpty {
            let z = r.camera.zone
            print("\n\(r.camera.id) \(Names.printable(r.camera.name))")
            print("  footage: " + r.windows.map { "\(t($0.interval.start, z))–\(t($0.interval.end, z))" + ($0.onDevice ? " (on the device)" : "") }.joined(separator: ", "))
            print("  gaps:    " + r.gaps.map { "\(t($0.start, z))–\(t($0.end, z)) (\(TextFormat.duration(ms: $0.durationMs)))" }.joined(separator: ", "))
        }
    }
}
