import CamindexCore
import CamindexService
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// camindex as a GB/T 28181 upper platform (上级平台) over UDP: devices and lower platforms
/// register with digest authentication, keep alive, and answer the catalog query sent at each
/// registration. It parses, calls the service layer, answers: registry and presence are the
/// service's.
public struct GBServer: Service {
    public struct Config: Sendable {
        public var host: String
        public var port: Int
        /// Its own 20-digit ID (type 200); the realm is its first 10 digits.
        public var sipID: String
        /// The county's one password for the devices without their own (`--sip-password-file`);
        /// nil: only devices given a password by `gb password` register.
        public var password: String?
        public var keepaliveIntervalMs: Int64 = 60_000
        /// How long the catalog's packets are waited for after the query.
        public var catalogTimeout: Duration = .seconds(30)
        /// How often presence is judged (offline after three missed keepalives).
        public var sweepInterval: Duration = .seconds(5)
        /// RecordInfo: the days asked of each channel (today and the days before), how long
        /// one query's answers are waited for, how many queries are in flight per device and
        /// in all, how often the last day is asked again (older days each night).
        public var recordDays = 30
        public var recordTimeout: Duration = .seconds(15)
        public var recordQueriesPerDevice = 4
        public var recordQueriesInAll = 200
        public var recordRefresh: Duration = .seconds(3600)
        /// The datum of the catalogs' positions (a platform drawn on 高德 maps sends GCJ-02).
        public var datum: GBDatum = .wgs84

        public init(host: String, port: Int, sipID: String, password: String?) {
            self.host = host; self.port = port; self.sipID = sipID; self.password = password
        }

        public var realm: String { String(sipID.prefix(10)) }
    }

    let service: IndexService
    let config: Config
    let logger: Logger
    let onListening: @Sendable (Int) -> Void

    public init(service: IndexService, config: Config, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.service = service; self.config = config; self.logger = logger; self.onListening = onListening
    }

    public func run() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Received.self, bufferingPolicy: .bufferingNewest(10_000))
        let channel: any Channel, tcp: any Channel
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { $0.pipeline.addHandler(DatagramInbound(continuation: continuation)) }
                .bind(host: config.host, port: config.port).get()
            // TCP on the same port (the one UDP took when 0 was asked).
            let keepaliveMs = config.keepaliveIntervalMs
            tcp = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { connection in
                    connection.eventLoop.makeCompletedFuture {
                        // A connection silent past three keepalives and a minute is dead: closed.
                        try connection.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .milliseconds(3 * keepaliveMs + 60_000)))
                        try connection.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPFrameDecoder()))
                        try connection.pipeline.syncOperations.addHandler(StreamInbound(continuation: continuation))
                    }
                }
                .bind(host: config.host, port: channel.localAddress?.port ?? config.port).get()
        } catch {
            throw CamindexError.runtime("--sip \(config.host):\(config.port): cannot listen: \(ErrorText.of(error))", code: .gbListen, value: "\(config.host):\(config.port)")
        }
        let port = channel.localAddress?.port ?? config.port
        logger.notice("SIP listening on \(config.host):\(port) (UDP and TCP)", metadata: ["sip_id": "\(config.sipID)"])
        onListening(port)
        // Registry writes block (SQLite): one thread, in the order the messages came.
        let pool = BlockingPool(threads: 1, name: "camindex.sip")
        defer { pool.shutdown() }
        let platform = GBPlatform(service: service, config: config, channel: channel, pool: pool, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await received in stream { await platform.receive(received) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: min(config.sweepInterval, .milliseconds(config.keepaliveIntervalMs)))
                    await platform.sweep()
                }
            }
            group.addTask {
                // A shell's `gb catalog DEVICE` waits on this: looked for each second.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if !Task.isCancelled { await platform.takeRequests() }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: config.recordRefresh)
                    if !Task.isCancelled { await platform.refreshRecordings() }
                }
            }
            try? await gracefulShutdown()
            continuation.finish()
            try? await tcp.close()
            try? await channel.close()
            group.cancelAll()
        }
        await platform.stop()
        logger.notice("SIP stopped")
    }

    final class DatagramInbound: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let continuation: AsyncStream<Received>.Continuation
        init(continuation: AsyncStream<Received>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            continuation.yield(Received(bytes: Array(envelope.data.readableBytesView), peer: SIPPeer(remote: envelope.remoteAddress, connection: nil)))
        }
    }

    /// One SIP message of a TCP connection, framed by `SIPFrameDecoder`.
    final class StreamInbound: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<Received>.Continuation
        init(continuation: AsyncStream<Received>.Continuation) { self.continuation = continuation }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard let remote = context.channel.remoteAddress else { return }
            continuation.yield(Received(bytes: Array(unwrapInboundIn(data).readableBytesView), peer: SIPPeer(remote: remote, connection: context.channel)))
        }
    }
}

/// Where a message came from, and the way back: its TCP connection, or datagrams to its address.
struct SIPPeer: Sendable {
    var remote: SocketAddress
    var connection: (any Channel)?
}

struct Received: Sendable {
    var bytes: [UInt8]
    var peer: SIPPeer
}

/// SIP over TCP (RFC 3261 18.3): a message is its header up to the empty line and then
/// Content-Length bytes; CRLFs between messages are keepalives.
struct SIPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    /// A header longer than this is no SIP peer's: the connection is dropped.
    static let maxHeader = 64 * 1024
    /// A catalog packet is a few kilobytes; a body larger than this is refused.
    static let maxBody = 1024 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), byte == 0x0D || byte == 0x0A { buffer.moveReaderIndex(forwardBy: 1) }
        let view = buffer.readableBytesView
        guard let end = Self.headerEnd(view) else {
            if view.count > Self.maxHeader { throw CamindexError.usage("a SIP header over \(Self.maxHeader) bytes", code: .gbInvalid) }
            return .needMoreData
        }
        let header = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        let length = Self.contentLength(header) ?? 0
        guard (0...Self.maxBody).contains(length) else { throw CamindexError.usage("a SIP Content-Length of \(length)", code: .gbInvalid) }
        let total = end - view.startIndex + 4 + length
        guard buffer.readableBytes >= total, let frame = buffer.readSlice(length: total) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    static func headerEnd(_ view: ByteBufferView) -> ByteBufferView.Index? {
        var i = view.startIndex
        while i + 3 < view.endIndex {
            if view[i] == 0x0D, view[i + 1] == 0x0A, view[i + 2] == 0x0D, view[i + 3] == 0x0A { return i }
            i += 1
        }
        return nil
    }

    static func contentLength(_ header: String) -> Int? {
        for line in header.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" || name == "l" { return Int(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }
}

/// The SIP side's state: nonces handed out, catalogs being collected, requests camindex sent
/// and is retransmitting (UDP), answers kept for retransmitted requests.
actor GBPlatform {
    let service: IndexService
    let config: GBServer.Config
    let channel: any Channel
    let pool: BlockingPool
    let logger: Logger

    private var nonces: [String: Instant] = [:]
    var addresses: [String: SIPPeer] = [:]
    private var catalogs: [String: Collecting] = [:]
    private var outgoing: [String: Task<Void, Never>] = [:]
    private var answered: [String: [UInt8]] = [:]
    private var answeredOrder: [String] = []
    var sn = 0
    var cseq = 0
    var records: [Int: RecordQuery] = [:]
    var sweeps: [String: Task<Void, Never>] = [:]
    var lastFullSweep: [String: Instant] = [:]
    var hourly = Set<String>()
    let limiter: Limiter
    /// A catalog query to send once the REGISTER's answer is out (a device expects the 200 first).
    private var queryAfterAnswer: (device: String, address: SIPPeer)?

    struct Collecting {
        var sn: Int
        var expected: Int?
        var items: [String: GBCatalogItem] = [:]
        var deadline: Task<Void, Never>?
        /// The shells' requests (`gb catalog DEVICE`) this catalog answers.
        var requests: [Int64] = []
    }
    /// DeviceStatus queries out, by SN: whose, and when sent (the clock's offset is judged at
    /// the midpoint of sending and answer).
    var statuses: [Int: (device: String, sent: Instant)] = [:]

    init(service: IndexService, config: GBServer.Config, channel: any Channel, pool: BlockingPool, logger: Logger) {
        self.service = service; self.config = config; self.channel = channel; self.pool = pool; self.logger = logger
        limiter = Limiter(config.recordQueriesInAll)
    }

    func stop() {
        for task in sweeps.values { task.cancel() }
        for r in records.values { r.continuation.resume(returning: .init(items: r.items, expected: r.expected, received: r.received, timedOut: true)) }
        records = [:]
        for task in outgoing.values { task.cancel() }
        for c in catalogs.values {
            c.deadline?.cancel()
            finishRequests(c.requests, .init(expected: c.expected ?? 0, received: c.items.count, timedOut: true, error: "the daemon stopped before the catalog came", errorCode: "gb.timeout"))
        }
    }

    func receive(_ received: Received) async {
        let bytes = received.bytes
        let from = received.peer
        let message: SIPMessage
        do { message = try SIPMessage.parse(bytes) } catch {
            logger.warning("SIP: unreadable message", metadata: ["from": "\(Self.text(from))", "error": "\(error.message)"])
            return
        }
        guard message.isRequest else {
            // A response to a request camindex sent: stop retransmitting it.
            outgoing.removeValue(forKey: message.callID)?.cancel()
            return
        }
        let key = message.callID + " " + message.cseq + " " + (message.vias.first ?? "")
        if let kept = answered[key] { send(kept, to: from); return }
        guard let answer = await handle(message, from: from) else { return }
        answered[key] = answer
        answeredOrder.append(key)
        if answeredOrder.count > 4096 { answered.removeValue(forKey: answeredOrder.removeFirst()) }
        send(answer, to: from)
        if let q = queryAfterAnswer {
            queryAfterAnswer = nil
            queryCatalog(q.device, at: q.address)
        }
    }

    private func handle(_ m: SIPMessage, from: SIPPeer) async -> [UInt8]? {
        let tag = Self.token(10)
        switch m.method?.uppercased() {
        case "REGISTER": return await register(m, from: from, tag: tag)
        case "MESSAGE": return await message(m, from: from, tag: tag)
        case "ACK": return nil
        default: return m.response(501, "Not Implemented", toTag: tag)
        }
    }

    private func register(_ m: SIPMessage, from: SIPPeer, tag: String) async -> [UInt8] {
        guard let id = m.fromUser, (try? CameraID(id))?.gb28181 != nil else {
            logger.warning("SIP: REGISTER from a non-GB/T 28181 ID", metadata: ["from": "\(Self.text(from))", "id": "\(m.fromUser ?? "-")"])
            return m.response(400, "Bad Request", toTag: tag)
        }
        guard let auth = m.authorization else { return challenge(m, tag: tag) }
        let now = service.clock.now()
        nonces = nonces.filter { now.ms - $0.value.ms < 300_000 }
        guard nonces[auth.nonce] != nil else { return challenge(m, tag: tag) }
        let service = service, realm = config.realm
        let own: String?
        do { own = try await pool.perform { try service.gbCredential(device: id, realm: realm) } } catch {
            logger.error("GB registration: the device's password cannot be read", metadata: ["device": "\(id)", "error": "\(ErrorText.of(error))"])
            return m.response(500, "Server Internal Error", toTag: tag)
        }
        // A device's own password, else the county's.
        let ha1 = own ?? config.password.map { GBDigest.ha1(user: id, realm: realm, password: $0) }
        let proved = auth.username == id && auth.realm == realm && (ha1.map { auth.verifies(method: "REGISTER", ha1: $0) } ?? false)
        guard proved else {
            logger.warning("SIP: bad digest", metadata: ["device": "\(id)", "from": "\(Self.text(from))"])
            return m.response(403, "Forbidden", toTag: tag)
        }
        let expires = m.expires ?? 3600
        let address = Self.text(from)
        let interval = config.keepaliveIntervalMs
        do {
            if expires == 0 {
                try await pool.perform { try service.gbUnregistered(device: id) }
                addresses[id] = nil
                logger.notice("GB device unregistered", metadata: ["device": "\(id)"])
            } else {
                try await pool.perform { _ = try service.gbRegistered(device: id, address: address, expiresS: expires, keepaliveIntervalMs: interval) }
                addresses[id] = from
                logger.notice("GB device registered", metadata: ["device": "\(id)", "from": "\(address)", "expires_s": "\(expires)"])
                queryAfterAnswer = (id, from)
            }
        } catch {
            logger.error("GB registration not recorded", metadata: ["device": "\(id)", "error": "\(ErrorText.of(error))"])
            return m.response(500, "Server Internal Error", toTag: tag)
        }
        return m.response(200, "OK", toTag: tag, headers: [("Date", Self.gbDate(now)), ("Expires", "\(expires)")] + (m.contact.map { [("Contact", $0)] } ?? []))
    }

    private func challenge(_ m: SIPMessage, tag: String) -> [UInt8] {
        let nonce = Self.token(32)
        nonces[nonce] = service.clock.now()
        return m.response(401, "Unauthorized", toTag: tag,
                          headers: [("WWW-Authenticate", "Digest realm=\"\(config.realm)\", nonce=\"\(nonce)\", algorithm=MD5")])
    }

    private func message(_ m: SIPMessage, from: SIPPeer, tag: String) async -> [UInt8] {
        let body: MANSCDP
        do { body = try MANSCDP.parse(m.body) } catch {
            logger.warning("SIP: unreadable MANSCDP", metadata: ["device": "\(m.fromUser ?? "-")", "from": "\(Self.text(from))", "error": "\(error.message)"])
            return m.response(400, "Bad Request", toTag: tag)
        }
        let device = m.fromUser ?? body.deviceID ?? ""
        let service = service, address = Self.text(from)
        switch (body.root.name.lowercased(), body.cmdType?.lowercased()) {
        case ("notify", "keepalive"):
            let known = (try? await pool.perform { try service.gbKeepalive(device: device, address: address) }) ?? false
            guard known else { return m.response(403, "Forbidden", toTag: tag) }
            addresses[device] = from
            return m.response(200, "OK", toTag: tag)
        case ("response", "catalog"):
            collect(body, device: device)
            return m.response(200, "OK", toTag: tag)
        case ("response", "recordinfo"):
            collectRecords(body)
            return m.response(200, "OK", toTag: tag)
        case ("response", "devicestatus"):
            if let sn = body.sn, let asked = statuses.removeValue(forKey: sn), let text = body.root.value("DeviceTime"),
               let time = GBRecordPlan.time(text, zone: TimeZone(identifier: Zones.defaultIdentifier)!) {
                let now = service.clock.now(), at = Instant(ms: (asked.sent.ms + now.ms) / 2)
                do { try await pool.perform { try service.gbClock(device: asked.device, deviceTime: time, at: at) } } catch {
                    logger.error("GB device clock not recorded", metadata: ["device": "\(asked.device)", "error": "\(ErrorText.of(error))"])
                }
            }
            return m.response(200, "OK", toTag: tag)
        default:
            return m.response(200, "OK", toTag: tag)
        }
    }

    // MARK: catalog

    private func queryCatalog(_ device: String, at address: SIPPeer, answering shellRequest: Int64? = nil) {
        // A catalog already coming answers the shell's request too.
        if let shellRequest, catalogs[device] != nil { catalogs[device]!.requests.append(shellRequest); return }
        sn += 1
        let waiting = catalogs[device]?.requests ?? []
        catalogs[device]?.deadline?.cancel()
        let sn = sn, timeout = config.catalogTimeout
        let deadline = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.finishCatalog(device, timedOut: true)
        }
        catalogs[device] = Collecting(sn: sn, deadline: deadline, requests: waiting + (shellRequest.map { [$0] } ?? []))
        request("MESSAGE", to: device, at: address, contentType: "Application/MANSCDP+xml",
                body: MANSCDP.query("Catalog", sn: sn, deviceID: device))
    }

    private func collect(_ body: MANSCDP, device: String) {
        // A lower platform's catalog names itself in DeviceID; a device may name itself too.
        let key = catalogs[device] != nil ? device : (body.deviceID ?? device)
        guard var c = catalogs[key] else { return }
        if let sum = body.sumNum { c.expected = sum }
        for item in body.catalogItems { c.items[item.id] = item }
        catalogs[key] = c
        if let expected = c.expected, c.items.count >= expected { Task { await finishCatalog(key, timedOut: false) } }
    }

    private func finishCatalog(_ device: String, timedOut: Bool) async {
        guard let c = catalogs.removeValue(forKey: device) else { return }
        c.deadline?.cancel()
        let items = Array(c.items.values), expected = c.expected ?? 0
        let waited = config.catalogTimeout.components.seconds
        if let address = addresses[device] { queryStatus(device, at: address) }
        if timedOut && c.expected == nil && items.isEmpty {
            logger.warning("GB catalog: no answer", metadata: ["device": "\(device)", "waited_s": "\(waited)"])
            finishRequests(c.requests, .init(timedOut: true, error: "\(device) did not answer the catalog query in \(waited) s", errorCode: "gb.timeout"))
            return
        }
        let service = service, datum = config.datum
        do {
            let sync = try await pool.perform { try service.gbCatalog(device: device, items: items, expected: max(expected, items.count), datum: datum) }
            finishRequests(c.requests, .init(expected: sync.expected, received: sync.received, channels: sync.channels, changes: sync.changes,
                                             unplaced: sync.unplaced, timedOut: timedOut && items.count < expected))
            var meta: Logger.Metadata = ["device": "\(device)", "items": "\(sync.received)", "sum_num": "\(expected)", "channels": "\(sync.channels)",
                                         "changes": "\(sync.changes.count)", "unplaced": "\(sync.unplaced.count)"]
            if timedOut { meta["timed_out_s"] = "\(config.catalogTimeout.components.seconds)" }
            if timedOut && items.count < expected {
                logger.warning("GB catalog incomplete: \(items.count) of \(expected) items came; nothing disabled", metadata: meta)
            } else {
                logger.notice("GB catalog", metadata: meta)
            }
            startRecordSweep(device, days: config.recordDays)
        } catch {
            logger.error("GB catalog not applied", metadata: ["device": "\(device)", "error": "\(ErrorText.of(error))"])
            finishRequests(c.requests, .init(expected: expected, received: items.count, error: "not applied: \(ErrorText.of(error))"))
        }
    }

    /// Takes the shells' requests for a catalog now: asked of the device where it last spoke
    /// from, or answered at once when this daemon has not heard from it.
    func takeRequests() async {
        let service = service
        guard let open = try? await pool.perform({ try service.gbOpenRequests() }), !open.isEmpty else { return }
        for r in open {
            guard (try? await pool.perform({ try service.gbTakeRequest(r.id) })) == true else { continue }
            guard let address = addresses[r.device] else {
                finishRequests([r.id], .init(error: "\(r.device) has not registered or kept alive since this daemon started (offline?)",
                                                 errorCode: "gb.unknown"))
                continue
            }
            logger.notice("GB catalog asked from the shell", metadata: ["device": "\(r.device)", "by": "\(r.askedBy)", "request": "\(r.id)"])
            queryCatalog(r.device, at: address, answering: r.id)
        }
    }

    private func finishRequests(_ ids: [Int64], _ outcome: GBCatalogOutcome) {
        guard !ids.isEmpty else { return }
        let service = service
        Task {
            for id in ids {
                do { try await pool.perform { try service.gbFinishRequest(id, outcome: outcome) } } catch {
                    logger.error("GB catalog request not answered", metadata: ["request": "\(id)", "error": "\(ErrorText.of(error))"])
                }
            }
        }
    }

    /// DeviceStatus, for the device's clock (DeviceTime) beside camindex's.
    private func queryStatus(_ device: String, at address: SIPPeer) {
        sn += 1
        statuses[sn] = (device, service.clock.now())
        if statuses.count > 10_000 { statuses.removeAll() }
        request("MESSAGE", to: device, at: address, contentType: "Application/MANSCDP+xml",
                body: MANSCDP.query("DeviceStatus", sn: sn, deviceID: device))
    }

    // MARK: presence

    func sweep() async {
        let service = service
        guard let went = try? await pool.perform({ try service.gbSweepPresence() }) else { return }
        for d in went { logger.warning("GB device offline", metadata: ["device": "\(d.id)", "reason": "\(d.reason ?? "")"]) }
    }

    // MARK: sending

    /// Sends a request and retransmits it as RFC 3261's timer E does (0.5 s doubling to 4 s)
    /// until any answer comes or 32 s pass.
    func request(_ method: String, to device: String, at address: SIPPeer, contentType: String, body: [UInt8]) {
        cseq += 1
        let callID = Self.token(16) + "@" + config.host
        let local = channel.localAddress
        let host = config.host == "0.0.0.0" || config.host == "::" ? "127.0.0.1" : config.host
        let text = [
            "\(method) sip:\(device)@\(Self.hostPort(address)) SIP/2.0",
            "Via: SIP/2.0/\(address.connection == nil ? "UDP" : "TCP") \(host):\(local?.port ?? config.port);rport;branch=z9hG4bK\(Self.token(12))",
            "From: <sip:\(config.sipID)@\(config.realm)>;tag=\(Self.token(10))",
            "To: <sip:\(device)@\(config.realm)>",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method)",
            "Max-Forwards: 70",
            "User-Agent: camindex",
            "Content-Type: \(contentType)",
            "Content-Length: \(body.count)",
        ].joined(separator: "\r\n") + "\r\n\r\n"
        let bytes = Array(text.utf8) + body
        send(bytes, to: address)
        // TCP delivers or fails by itself: only datagrams are sent again.
        guard address.connection == nil else { return }
        outgoing[callID] = Task { [weak self] in
            var wait = 500
            var waited = 0
            while waited < 32_000 {
                try? await Task.sleep(for: .milliseconds(wait))
                guard !Task.isCancelled else { return }
                waited += wait
                await self?.send(bytes, to: address)
                wait = min(wait * 2, 4_000)
            }
            await self?.forget(callID)
        }
    }

    private func forget(_ callID: String) { outgoing[callID] = nil }

    /// Over the device's TCP connection when it came by TCP, else a datagram.
    func send(_ bytes: [UInt8], to peer: SIPPeer) {
        if let connection = peer.connection {
            connection.writeAndFlush(connection.allocator.buffer(bytes: bytes), promise: nil)
        } else {
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: peer.remote, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
    }

    static func text(_ p: SIPPeer) -> String { p.remote.ipAddress.map { "\($0):\(p.remote.port ?? 0)" } ?? "\(p.remote)" }
    static func hostPort(_ p: SIPPeer) -> String {
        guard let ip = p.remote.ipAddress else { return "\(p.remote)" }
        return (ip.contains(":") ? "[\(ip)]" : ip) + ":\(p.remote.port ?? 0)"
    }

    static func token(_ n: Int) -> String {
        let digits = Array("0123456789abcdef")
        var g = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in digits[Int(g.next() % 16)] })
    }

    /// GB/T 28181's Date header (校时): local time to the millisecond, no zone.
    static func gbDate(_ t: Instant) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: Zones.defaultIdentifier)
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS"
        return f.string(from: Date(timeIntervalSince1970: Double(t.ms) / 1000))
    }
}
