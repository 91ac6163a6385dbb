import ArgumentParser
import CamindexCore
import CamindexService

struct RegionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region",
        abstract: "Add and list regions: county (6-digit code), township (9), village (12); on a province also province (2) and city (4).",
        subcommands: [Add.self, List.self]
    )
}

extension RegionCommand {
    struct Add: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Add a region. Its parent (the code's prefix) must exist.",
            discussion: """
                camindex region add 620723 临泽县
                camindex region add 620723100 沙河镇
                camindex region add 620723100201 西关村

                A county store holds one county and what is under it. Provinces and cities are \
                named on the province, the one thing written there by hand (the tree above the \
                counties follows from their codes, so a parent need not be named first):

                camindex region add --db postgresql://… 62 甘肃省
                camindex region add --db postgresql://… 6207 张掖市
                """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Statistical division code: 6 digits (county), 9 (township/street), 12 (village/community); on a province 2 (province) or 4 (city).")
        var code: String
        @Argument(help: "The region's name, e.g. 沙河镇.")
        var name: String

        func run() throws {
            let region = try global.service(.create).addRegion(code: code, name: name)
            print("added \(region.levelLabel) \(region.code) \(region.name)")
        }
    }

    struct List: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List regions as a tree, with the cameras registered in each.",
            discussion: """
                CAMERAS counts enabled cameras in the region and all regions under it. On a \
                province the tree starts with the provinces and cities above the published \
                counties; one that no one named with 'region add' has an empty name.

                  camindex region list
                  camindex region list --under 沙河镇 --format csv
                """
        )

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Only this region and those under it (code or exact name).", valueName: "region"))
        var under: String?
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() throws {
            let (root, tree) = try global.service(.read).regionTree(under: under)
            let baseDepth = root?.depth ?? tree.map(\.region.depth).min() ?? 0
            switch format {
            case .json:
                try Output.json(tree.map(RegionJSON.init))
            case .csv:
                Output.csv(header: ["code", "name", "level", "parent", "cameras", "own_cameras"], rows: tree.map {
                    [$0.region.code, $0.region.name, $0.region.levelLabel, $0.region.parentCode ?? "",
                     "\($0.totalCameras)", "\($0.ownCameras)"]
                })
            case .table:
                if tree.isEmpty {
                    print("no regions yet: add one with 'camindex region add CODE NAME' or 'camindex import'")
                    return
                }
                print(Output.table(header: ["CODE", "NAME", "LEVEL", "CAMERAS"], rows: tree.map { s in
                    let indent = String(repeating: "  ", count: max(0, s.region.depth - baseDepth))
                    return [indent + s.region.code, s.region.name, s.region.levelLabel, "\(s.totalCameras)"]
                }, rightAligned: [3]))
            }
        }
    }
}
