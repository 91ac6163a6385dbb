import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct HealthCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Health check for cron and monitoring (Nagios/Icinga/Zabbix plugin conventions).",
        discussion: """
            Exit status 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a missing or broken store, a bad \
            argument). The first line is 'CAMINDEX <STATUS> - <summary> | <perfdata>', details follow.

            Checks (--check to pick; all by default):
              heartbeat  age of the daemon's heartbeat; none at all is CRITICAL (the index is stale)
              online     online rate of the region and of each township under it
              offline    cameras offline for longer than --offline-hours
              recording  recording integrity: recorded / expected time over the last --recording-hours,
                         for cameras with a recordings directory
              clock      largest camera clock offset (from full probes), seconds
              index      files that failed to index
              quality    online cameras whose last full probe found a picture fault (black, frozen,
                         snow, blur, colour cast, lens covered); each listed with value and threshold

            Thresholds use the plugin range syntax: '10' alerts outside 0..10, '10:' below 10, \
            '~:10' above 10, '10:20' outside 10..20, '@10:20' inside. Defaults follow the national \
            targets: online warning below 98%, critical below 95%.

              camindex health --region 沙河镇
              camindex health --format prometheus --output /var/lib/node_exporter/textfile/camindex.prom
            """
    )

    @OptionGroup var global: GlobalOptions
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, prometheus }

    @Option(help: ArgumentHelp("Only this region and those under it (code or exact name).", valueName: "region")) var region: String?
    @Option(help: ArgumentHelp("A check to run (repeatable): heartbeat, online, offline, recording, clock, index, quality.", valueName: "name"))
    var check: [HealthCheck] = []
    @Option(help: "text (plugin output), json or prometheus.") var format: Format = .text
    @Option(help: ArgumentHelp("Write to this file (through a temp file and a rename) instead of stdout.", valueName: "file")) var output: String?

    // Defaults come from HealthThresholds, the one place they are defined.
    private static let standard = HealthThresholds()
    @Option(parsing: .unconditional, help: ArgumentHelp("Heartbeat age warning range, seconds (default \(standard.heartbeatWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var heartbeatWarning = standard.heartbeatWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Heartbeat age critical range, seconds (default \(standard.heartbeatCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var heartbeatCritical = standard.heartbeatCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Online rate warning range, percent (default \(standard.onlineWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var onlineWarning = standard.onlineWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Online rate critical range, percent (default \(standard.onlineCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var onlineCritical = standard.onlineCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Offline longer than this counts for the offline check.", valueName: "hours")) var offlineHours = standard.offlineHours
    @Option(parsing: .unconditional, help: ArgumentHelp("Long-offline cameras warning range, a count (default \(standard.offlineWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var offlineWarning = standard.offlineWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Long-offline cameras critical range, a count (default \(standard.offlineCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var offlineCritical = standard.offlineCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Recording integrity over this many last hours.", valueName: "hours")) var recordingHours = standard.recordingHours
    @Option(parsing: .unconditional, help: ArgumentHelp("Recording integrity warning range, percent (default \(standard.recordingWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var recordingWarning = standard.recordingWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Recording integrity critical range, percent (default \(standard.recordingCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var recordingCritical = standard.recordingCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Largest clock offset warning range, seconds (default \(standard.clockWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var clockWarning = standard.clockWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Largest clock offset critical range, seconds (default \(standard.clockCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var clockCritical = standard.clockCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Failed files warning range, a count (default \(standard.indexWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var indexErrorsWarning = standard.indexWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Failed files critical range, a count (default \(standard.indexCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var indexErrorsCritical = standard.indexCritical
    @Option(parsing: .unconditional, help: ArgumentHelp("Online cameras with picture faults warning range, a count (default \(standard.qualityWarning)).", valueName: "range"),
            transform: ThresholdRange.init)
    var qualityWarning = standard.qualityWarning
    @Option(parsing: .unconditional, help: ArgumentHelp("Online cameras with picture faults critical range, a count (default \(standard.qualityCritical)).", valueName: "range"),
            transform: ThresholdRange.init)
    var qualityCritical = standard.qualityCritical

    var thresholds: HealthThresholds {
        var t = HealthThresholds()
        t.heartbeatWarning = heartbeatWarning
        t.heartbeatCritical = heartbeatCritical
        t.onlineWarning = onlineWarning
        t.onlineCritical = onlineCritical
        t.offlineWarning = offlineWarning
        t.offlineCritical = offlineCritical
        t.recordingWarning = recordingWarning
        t.recordingCritical = recordingCritical
        t.clockWarning = clockWarning
        t.clockCritical = clockCritical
        t.indexWarning = indexErrorsWarning
        t.indexCritical = indexErrorsCritical
        t.qualityWarning = qualityWarning
        t.qualityCritical = qualityCritical
        t.offlineHours = offlineHours
        t.recordingHours = recordingHours
        return t
    }

    func validate() throws {
        guard offlineHours > 0, recordingHours > 0 else { throw CamindexError.usage("--offline-hours and --recording-hours must be positive") }
    }

    func run() throws {
        // Whatever goes wrong, a monitoring system must read UNKNOWN, not a crash.
        do {
            let result = try global.service(.read).health(region: region, thresholds: thresholds, checks: Set(check))
            try emit(render(result))
            throw ExitCode(Int32(result.status.rawValue))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // Whatever the format: the monitoring system reads this line, and a failure to write
            // --output must not leave it with nothing.
            print("CAMINDEX UNKNOWN - \(Redaction.redactSecrets(Camindex.failure(error).report.message))")
            throw ExitCode(3)
        }
    }

    private func render(_ result: HealthResult) throws -> String {
        switch format {
        case .prometheus: return result.prometheusText
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(HealthJSON(result)), as: UTF8.self) + "\n"
        case .text: return result.pluginText + "\n"
        }
    }

    /// Writes to --output through a temp file and a rename, so a reader never sees half a file.
    private func emit(_ text: String) throws {
        guard let output else {
            print(text, terminator: "")
            return
        }
        let dir = (output as NSString).deletingLastPathComponent
        let temp = (dir.isEmpty ? "." : dir) + "/.\((output as NSString).lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp"
        do {
            try text.write(toFile: temp, atomically: false, encoding: .utf8)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw CamindexError.runtime("cannot write --output \(output): \(ErrorText.of(error))", code: .outputFailed, value: output)
        }
        guard rename(temp, output) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw CamindexError.runtime("cannot write --output \(output): \(why)", code: .outputFailed, value: output)
        }
    }
}
