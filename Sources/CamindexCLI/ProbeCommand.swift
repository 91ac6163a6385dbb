import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct ProbeCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe one camera's live stream now and print what it delivers.",
        discussion: """
            What a technician runs on site: opens the stream (RTSP over TCP unless --transport udp, \
            HLS, HTTP-FLV), reads until two keyframes, and reports codec, profile, resolution, frame \
            rate, bitrate, keyframe interval, time to the first keyframe, the camera's clock \
            offset (from RTCP sender reports) and the first keyframe's picture faults (black, \
            frozen against the daemon's last probe, snow, blur, colour cast, lens covered). Nothing is written to the store. Exit status 1 when \
            the camera does not deliver video within the deadline.

              camindex probe 62072300001320000001
              camindex probe 'rtsp://admin:PASSWORD@cam-7.example:554/Streaming/Channels/101' --format json
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A registered camera ID, or a stream URL.") var target: String
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds the probe may take, all told.", valueName: "seconds")) var deadline: Double = 10
    @Option(help: "RTSP transport: tcp or udp.") var transport: StreamTransport = .tcp
    @Flag(help: "Only check that the camera answers and sends video (stop at the first packet).") var light = false
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        guard deadline > 0, deadline <= 600 else { throw CamindexError.usage("--deadline must be between 0 and 600 seconds") }
    }

    func run() throws {
        let answer = target.contains("://")
            ? try IndexService.probe(url: target, light: light, deadline: Self.duration(deadline), transport: transport)
            : try global.service(.read).probe(cameraID: target, light: light, deadline: Self.duration(deadline), transport: transport)
        let (result, zone) = (answer.result, answer.zone)
        if format == .json {
            try Output.json(ProbeJSON(result, zone: zone))
        } else {
            print(answer.url)
            print(Output.table(header: ["FIELD", "VALUE"], rows: ProbeJSON.rows(result, zone: zone)))
        }
        if !result.ok { throw ExitCode(1) }
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }
}
