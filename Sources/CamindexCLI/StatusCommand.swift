import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct StatusCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The daemon's heartbeat and last cycle, camera states and index totals.",
        discussion: """
            A heartbeat older than two probe intervals means the daemon is not running: the index is stale.

              camindex status
              camindex status --format json
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func run() throws {
        let s = try global.service(.read).status()
        let zone = try Zones.named(Zones.defaultIdentifier)
        if format == .json { return try Output.json(StatusJSON(s, zone: zone)) }
        print("store: \(s.store)")
        if let h = s.heartbeat {
            print("daemon: last heartbeat \(TimeFormat.rfc3339(h.ended, in: zone)) (\(TextFormat.duration(ms: s.heartbeatAgeMs!)) ago), pid \(h.pid)")
            print("last cycle: \(TextFormat.duration(ms: h.ended.ms - h.started.ms)), \(h.cameras) cameras, \(h.probes) probes (\(h.probeFailures) failed), \(h.filesIndexed) files indexed (\(h.filesFailed) failed)")
        } else {
            print("daemon: no heartbeat: the daemon has never run on this store")
        }
        print("cameras: \(s.enabledCameras) enabled, \(s.liveCameras) with a live URL: \(s.online) online, \(s.offline) offline, \(s.unprobed) not yet probed")
        print("index: \(s.index.segments) segments, \(s.index.unverified) unverified, \(s.index.failed) files failed")
    }
}
