import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct GBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gb",
        abstract: "GB/T 28181 devices and lower platforms registered with the daemon's --sip.",
        subcommands: [Devices.self]
    )

    struct Devices: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List the devices and platforms that registered: online or not, why, their last catalog.",
            discussion: """
                A device is offline after three missed keepalives, when its registration expires, \
                or when it unregisters; the reason is kept.

                  camindex gb devices
                  camindex gb devices --format json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "table or json.") var format: TableOrJSON = .table

        func run() throws {
            let devices = try global.service(.read).gbDevices()
            let zone = try Zones.named(Zones.defaultIdentifier)
            if format == .json { return try Output.json(devices.map { GBDeviceJSON($0, zone: zone) }) }
            if devices.isEmpty { print("no GB/T 28181 device has registered (is the daemon running with --sip?)"); return }
            print(Output.table(header: ["DEVICE", "STATE", "SINCE", "ADDRESS", "LAST KEEPALIVE", "CATALOG"], rows: devices.map { d in
                [d.id, d.online ? "online" : "offline" + (d.reason.map { " (\($0))" } ?? ""), TimeFormat.rfc3339(d.since, in: zone), d.address,
                 d.presence.lastKeepalive.map { TimeFormat.rfc3339($0, in: zone) } ?? "-",
                 d.catalogAt.map { "\(d.catalogReceived ?? 0) of \(d.catalogExpected ?? 0) items, \(TimeFormat.rfc3339($0, in: zone))" } ?? "-"]
            }))
        }
    }
}
