import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct DiagnoseCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Video quality diagnosis (视频质量诊断) of recorded footage: black, frozen, snow, blur, colour cast, lens covered.",
        discussion: """
            Decodes two keyframes of a file (or of a camera's indexed segment: its latest, or the \
            one holding --at, judged by the camera's own thresholds) and measures luma level and spread, noise, sharpness, colour cast, \
            the largest uniform region and the change between the two. Each fault found is shown \
            with the value measured and the threshold crossed.

              camindex diagnose /srv/nvr/62072300001320000001/20261120_080000.mp4
              camindex diagnose --camera 62072300001320000001 --at '2026-11-20 14:00'
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A recorded file.") var file: String?
    @Option(help: ArgumentHelp("Diagnose this camera's indexed footage instead of a file.", valueName: "id")) var camera: String?
    @Option(help: ArgumentHelp("With --camera: the moment to look at (default: its latest footage).", valueName: "time")) var at: String?
    @OptionGroup var time: TimeOptions
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        guard (file == nil) != (camera == nil) else { throw CamindexError.usage("give a FILE or --camera ID") }
        if at != nil && camera == nil { throw CamindexError.usage("--at goes with --camera") }
    }

    func run() throws {
        let d: PictureDiagnosis
        if let camera {
            d = try global.service(.read).diagnose(cameraID: camera, at: at, date: time.date, timezone: time.timezone)
        } else {
            d = try IndexService.diagnose(file: file!)
        }
        let last = d.pictures.last!
        if format == .json {
            struct Stats: Encodable {
                var mean_luma, luma_spread, noise, sharpness, colour_cast, uniform_share: Double
            }
            struct Result: Encodable {
                var file: String; var ok: Bool; var faults: [PictureVerdict]; var stats: Stats; var keyframe_difference: Double?
            }
            func r(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
            try Output.json(Result(
                file: d.path, ok: d.ok, faults: d.verdicts,
                stats: Stats(mean_luma: r(last.meanLuma), luma_spread: r(last.lumaSpread), noise: r(last.noise), sharpness: r(last.sharpness),
                             colour_cast: r(last.colourCast), uniform_share: r(last.uniformShare)),
                keyframe_difference: d.pictures.count > 1 ? r(last.difference(from: d.pictures[0])) : nil))
            return
        }
        print("\(d.path): " + (d.ok ? "no fault found" : d.verdicts.map(\.fault.rawValue).joined(separator: ", ")))
        var rows = [["mean luma", String(format: "%.1f", last.meanLuma)], ["luma spread", String(format: "%.1f", last.lumaSpread)],
                    ["noise", String(format: "%.1f", last.noise)], ["sharpness", String(format: "%.1f", last.sharpness)],
                    ["colour cast", String(format: "%.1f", last.colourCast)], ["uniform share", String(format: "%.2f", last.uniformShare)]]
        if d.pictures.count > 1 { rows.append(["keyframe difference", String(format: "%.2f", last.difference(from: d.pictures[0]))]) }
        print(Output.table(header: ["MEASURE", "VALUE"], rows: rows, rightAligned: [1]))
        if !d.ok {
            print(Output.table(header: ["FAULT", "MEASURED", "THRESHOLD"], rows: d.verdicts.map {
                [$0.fault.rawValue, String(format: "%.2f", $0.measured), String(format: "%.2f", $0.threshold)]
            }, rightAligned: [1, 2]))
        }
    }
}
