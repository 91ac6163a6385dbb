import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct ReportCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "KPI report for a period: online rate, 完好率, recording integrity, by township and village.",
        discussion: """
            The period is --day DATE (default: yesterday), --week DATE (the Monday–Sunday week \
            holding DATE), or --from/--to. Each figure is compared with the period just before. \
            Also lists the worst cameras, the longest recording gaps and clocks off by more than \
            --clock-limit seconds. --format html writes a self-contained page with an availability \
            timeline per camera (open it from a USB stick; nothing is fetched).

              camindex report --region 沙河镇 --day yesterday
              camindex report --week 2026-11-16 --format html --output 临泽县-w47.html
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Region code or exact name (default: everything).", valueName: "region")) var region: String?
    @Option(help: ArgumentHelp("A day: YYYY-MM-DD, today or yesterday.", valueName: "date")) var day: String?
    @Option(help: ArgumentHelp("The Monday–Sunday week holding this date (YYYY-MM-DD, today, yesterday).", valueName: "date")) var week: String?
    @Option(help: ArgumentHelp("Start of the period.", valueName: "time")) var from: String?
    @Option(help: ArgumentHelp("End of the period.", valueName: "time")) var to: String?
    @Option(help: ArgumentHelp("Zone of the dates and of the output (default Asia/Shanghai).", valueName: "tz")) var timezone: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("List clocks off by more than this.", valueName: "seconds")) var clockLimit: Double = 5
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, html }
    @Option(help: "table, csv, json or html.") var format: Format = .table
    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file")) var output: String?
    @OptionGroup var audit: AuditOptions

    func validate() throws {
        let ways = [day != nil, week != nil, from != nil || to != nil].filter { $0 }.count
        guard ways <= 1 else { throw CamindexError.usage("give one of --day, --week, or --from with --to") }
        if (from == nil) != (to == nil) { throw CamindexError.usage("--from and --to go together") }
        if let timezone { _ = try Zones.named(timezone) }
        guard clockLimit >= 0 else { throw CamindexError.usage("--clock-limit must be zero or more seconds") }
    }

    func run() throws {
        let zone = try Zones.named(timezone ?? Zones.defaultIdentifier)
        let period: ReportPeriod = if let from, let to { .range(from: from, to: to) }
            else if let week { .week(week) }
            else { .day(day ?? "yesterday") }
        var options = Report.Options()
        options.clockLimitS = clockLimit
        let report = try global.service(.read).report(region: region, period: period, zone: zone, options: options, reason: audit.reason)
        let title = "\(report.title) 视频监控 KPI 报告 — \(TimeFormat.local(report.period.start, in: zone).prefix(10))"
            + (report.period.durationMs > 86_400_000 ? " → \(TimeFormat.local(report.period.end - 1, in: zone).prefix(10))" : "")
        let text: String
        switch format {
        case .html: text = report.html(title: title, zone: zone)
        case .json: text = try json(report, zone: zone)
        case .csv: text = csv(report)
        case .table: text = table(report, zone: zone, title: title)
        }
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                throw CamindexError.runtime("cannot write \(output): \(ErrorText.of(error))", code: .outputFailed, value: output)
            }
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }

    private func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
    private func delta(_ a: Double?, _ b: Double?) -> String {
        guard let a else { return "" }
        guard let b else { return " (—)" }
        return String(format: " (%+.1f)", (a - b) * 100)
    }

    private func table(_ r: Report, zone: TimeZone, title: String) -> String {
        var out = [title, "\(TimeFormat.rfc3339(r.period.start, in: zone)) → \(TimeFormat.rfc3339(r.period.end, in: zone)); change against the previous period in points", ""]
        out.append(Output.table(header: ["REGION", "CODE", "CAMERAS", "ONLINE 在线率", "GOOD 完好率", "RECORDING 录像完整率"], rows: r.regions.map { k in
            let p = r.previous[k.region.code]
            let indent = String(repeating: "  ", count: max(0, k.region.depth - (r.scope?.depth ?? Region.countyDepth)))
            return [indent + k.region.displayName, k.region.code, "\(k.cameras)", pct(k.onlineRate) + delta(k.onlineRate, p?.onlineRate),
                    pct(k.goodRate) + delta(k.goodRate, p?.goodRate), pct(k.recordingIntegrity) + delta(k.recordingIntegrity, p?.recordingIntegrity)]
        }, rightAligned: [2, 3, 4, 5]))
        let worst = r.worstCameras
        if !worst.isEmpty {
            out += ["", "worst cameras:", Output.table(header: ["CAMERA", "NAME", "REGION", "ONLINE", "RECORDING"], rows: worst.map {
                [$0.camera.id, $0.camera.name, r.facts.regions[$0.camera.regionCode]?.name ?? $0.camera.regionCode, pct($0.onlineRate), pct($0.recordingRate)]
            }, rightAligned: [3, 4])]
        }
        let gaps = r.longestGaps
        if !gaps.isEmpty {
            out += ["", "longest recording gaps:", Output.table(header: ["CAMERA", "NAME", "FROM", "TO", "LENGTH"], rows: gaps.map {
                [$0.camera.id, $0.camera.name, TimeFormat.local($0.gap.start, in: zone), TimeFormat.local($0.gap.end, in: zone), TextFormat.duration(ms: $0.gap.durationMs)]
            }, rightAligned: [4])]
        }
        let clocks = r.clockOffenders
        out += ["", clocks.isEmpty ? "no camera clock off by more than \(r.options.clockLimitS) s" : "clocks off by more than \(r.options.clockLimitS) s:"]
        for c in clocks { out.append("  \(c.id) \(c.name): \(String(format: "%+.1f", c.clockOffsetS!)) s") }
        out += ["", "definitions:"] + Report.definitions.map { "  " + $0 }
        return out.joined(separator: "\n")
    }

    private func csv(_ r: Report) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "" }
        let header = ["region_code", "region_name", "level", "cameras", "online_rate", "good_rate", "recording_integrity",
                      "previous_online_rate", "previous_good_rate", "previous_recording_integrity"]
        return TextFormat.csv(header: header, rows: r.regions.map { k in
            let p = r.previous[k.region.code]
            return [k.region.code, k.region.name, k.region.levelLabel, "\(k.cameras)", f(k.onlineRate), f(k.goodRate), f(k.recordingIntegrity),
                    f(p?.onlineRate), f(p?.goodRate), f(p?.recordingIntegrity)]
        })
    }

    private func json(_ r: Report, zone: TimeZone) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(ReportJSON(r, zone: zone)), as: UTF8.self) + "\n"
    }
}
