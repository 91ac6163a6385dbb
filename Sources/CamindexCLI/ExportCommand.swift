import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Take footage as evidence (调取录像): MP4 clips by stream copy, a SHA-256 manifest, an audit row.",
        discussion: """
            For each camera with footage in the range, writes MP4 clips (faststart) copied packet \
            for packet from the indexed segment files: no re-encoding. A clip starts at the \
            keyframe at or before --from and ends at the first frame at or after --to; a hole in \
            the footage, or a change of codec or resolution, starts a new part (NAME_part2.mp4). \
            The output directory gets manifest.json and manifest.txt: per clip its SHA-256, size, \
            duration, wall-clock start (also the MP4's creation_time), the source files with \
            their size, mtime and SHA-256, and the holes; manifest.json.sig, the manifest signed \
            with the store's key (Ed25519, STORE.signing-key, made on first need); and \
            extraction-record.html, the printable extraction record (电子数据提取固定清单). \
            'camindex export verify DIR' re-hashes every clip and checks the signature. Existing \
            files are never replaced without --force.

              camindex export --camera 62072300001320000001 --from '2026-11-20 14:00' --to '2026-11-20 14:10' \\
                  --output /media/usb/案件2026-118 --reason '案件 2026-118'
              camindex export --region 沙河镇 --date yesterday --from 14:00 --to 14:30 --output ./export --dry-run
            """,
        subcommands: [Create.self, Verify.self, Key.self],
        defaultSubcommand: Create.self
    )

    struct Create: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Export clips (the default: 'camindex export …' is 'camindex export create …').",
            discussion: """
                SIGINT or SIGTERM stops it cleanly: the clips whole so far stay, listed in a \
                manifest marked incomplete, and the attempt is in the audit trail.

                  camindex export --camera 62072300001320000001 --from '2026-11-20 14:00' --to '2026-11-20 14:10' \\
                      --output /media/usb/案件2026-118 --reason '案件 2026-118'
                  camindex export create --region 沙河镇 --date yesterday --from 14:00 --to 14:30 --output ./export --dry-run
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: SelectionOptions
        @Option(help: ArgumentHelp("Start of the range.", valueName: "time")) var from: String
        @Option(help: ArgumentHelp("End of the range.", valueName: "time")) var to: String
        @OptionGroup var time: TimeOptions
        @Option(help: ArgumentHelp("Directory for the clips and the manifest (created if missing).", valueName: "dir")) var output: String
        @OptionGroup var audit: AuditOptions
        @Flag(help: "List the parts and their estimated sizes; write nothing.") var dryRun = false
        @Flag(help: "Replace clips and a manifest already in --output.") var force = false
        @Option(help: "table or json (the manifest).") var format: TableOrJSON = .table

        func run() throws {
            var request = Exporter.Request(selector: try selection.selector(), from: from, to: to, output: output)
            request.date = time.date
            request.timezone = time.timezone
            request.reason = audit.reason
            request.dryRun = dryRun
            request.force = force
            // SIGINT or SIGTERM stops the export cleanly: what is whole is kept and listed.
            let cancel = CancelFlag()
            request.cancel = cancel
            let signals = [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { cancel.cancel() }
                source.resume()
                return source
            }
            defer { for s in signals { s.cancel() } }
            let toStderr: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            let progress: (@Sendable (String) -> Void)? = isatty(2) != 0 || dryRun || global.verbose > 0 ? toStderr : nil
            // The county's policy is kept in the store; the environment can ask for it too.
            let requireReason = ProcessInfo.processInfo.environment["CAMINDEX_REQUIRE_REASON"] == "1"
            let outcome = try global.service(.write).export(request, requireReason: requireReason, progress: progress)
            let m = outcome.manifest
            if format == .json {
                try Output.json(m)
            } else {
                print(dryRun ? "dry run: nothing written" : "exported to \(outcome.manifestPath ?? output)")
                print(Output.table(header: ["CAMERA", "PART", "FILE", "START", "SECONDS", "BYTES"], rows: m.cameras.flatMap { c in
                    c.clips.isEmpty ? [[c.id, "-", c.error.map { "FAILED: \($0)" } ?? "no footage", "", "", ""]] : c.clips.map { clip in
                        [c.id, "\(clip.part)", clip.file, clip.starts_at, clip.duration_seconds.map { String(format: "%.2f", $0) } ?? "-",
                         dryRun ? "~\(clip.estimated_bytes)" : "\(clip.bytes)"]
                    }
                }, rightAligned: [4, 5]))
                for c in m.cameras where !c.holes.isEmpty {
                    print("\(c.id): holes " + c.holes.map { "\($0.start)–\($0.end)" }.joined(separator: ", "))
                }
            }
            if !outcome.failures.isEmpty {
                throw CamindexError.runtime(outcome.failures.map { "camera \($0.camera): \($0.message)" }.joined(separator: "; "),
                                            code: .exportFailed, value: outcome.failures.map(\.camera).joined(separator: ","))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every clip a manifest lists and check its signature; exit 0 when all hold, 1 naming what does not.",
            discussion: """
                Also finds clips in the directory the manifest does not list, partial clips left by an \
                interrupted write, and names that would leave the directory (refused, never hashed). \
                The signature (manifest.json.sig) must match manifest.json byte for byte; its public key \
                and key ID are printed, and whether it is the key of the store (--db, when there is one \
                there). A copy is checked without trusting whoever copied it by giving the county's \
                key obtained separately ('camindex export key' on its server, or GET /api/v1/signing-key): \
                a signature by any other key is then a failure. The extraction record, if any, must \
                name the manifest's SHA-256 (a warning otherwise).

                  camindex export verify /media/usb/案件2026-118
                  camindex export verify /media/usb/案件2026-118 --public-key 'q0V5…='
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The export directory (holding manifest.json).") var directory: String
        @Option(help: ArgumentHelp("The county's public key (base64), or a file holding it or the JSON of GET /api/v1/signing-key: the signature must be by it.",
                                   valueName: "base64|file")) var publicKey: String?

        func run() throws {
            var given: String?
            if let publicKey {
                if FileManager.default.fileExists(atPath: publicKey) {
                    do { given = try String(contentsOfFile: publicKey, encoding: .utf8) } catch {
                        throw CamindexError.usage("cannot read --public-key \(publicKey): \(ErrorText.of(error))", code: .fileUnreadable, value: publicKey)
                    }
                } else {
                    given = publicKey
                }
            }
            let v = try IndexService.verifyExport(directory: directory, publicKey: given, store: global.databasePath)
            if let s = v.signature {
                print("signature: Ed25519 by key \(s.keyID), public key \(s.publicKey), signed at \(Names.printable(s.signedAt)): "
                    + (s.verifies ? "verifies" : "DOES NOT VERIFY"))
                if let expected = s.isExpectedKey {
                    print(expected ? "key: the key given (--public-key)" : "key: NOT the key given (--public-key)")
                } else if let store = s.isStoreKey {
                    print(store ? "key: this store's (\(global.databasePath))" : "key: another key than this store's (\(global.databasePath))")
                }
            }
            print("manifest sha256: \(v.manifestSHA256)" + (v.recordMatches == true ? " (named by \(Exporter.recordName))" : ""))
            for w in v.warnings {
                var stderr = StandardError()
                print("camindex: warning: \(w)", to: &stderr)
            }
            let checked = v.checked
            guard v.problems.isEmpty else {
                throw CamindexError.runtime("\(v.problems.count) problem\(v.problems.count == 1 ? "" : "s") with the export (\(checked) clip\(checked == 1 ? "" : "s") listed): " + v.problems.joined(separator: "; "),
                                            code: .exportChanged, value: directory)
            }
            print("ok: \(checked) clip\(checked == 1 ? " matches" : "s match") the manifest, signed" + (v.incomplete ? " (the export was stopped before it was done: the manifest is marked incomplete)" : ""))
        }
    }

    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public key this store signs export manifests with, and its key ID (the key is made if there is none).",
            discussion: """
                The key is kept beside the store (STORE.signing-key, mode 0600; never printed). Hand the \
                public key to whoever checks a copy of an export: 'camindex export verify DIR --public-key KEY'.

                  camindex export key
                  camindex export key --format json > county-key.json
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "table or json.") var format: TableOrJSON = .table

        func run() throws {
            let key = try global.service(.read).signingKey()
            if format == .json {
                try Output.json(key)
            } else {
                print("algorithm: \(key.algorithm)")
                print("public key: \(key.public_key)")
                print("key id: \(key.key_id)")
            }
        }
    }
}
