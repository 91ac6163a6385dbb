import CamindexCore
import CamindexProvince
import CamindexStore
import Foundation
import Synchronization

/// The one door of camindex: every use case — reads, registry writes, indexing and checking,
/// export, probe and diagnosis, publishing, the audit trail, the daemon's work — is a call on
/// this type, made for a `Caller`, and records its own audit row. The CLI, the daemon and the
/// HTTP server only parse, call and render; none of them touches a store, FFmpeg or the
/// indexer. Failures are `CamindexError`s with their codes.
public final class IndexService: Sendable {
    /// What a front end opens the store for.
    public enum Access: Sendable {
        /// Read commands: an existing county store, or a province's `postgresql://` URL.
        case read
        /// Commands that change an existing county store (index, check, export, camera update).
        case write
        /// Commands that may create the county store on first use (region add, camera add, import).
        case create
    }

    enum Backend: Sendable {
        case county(CountyStore)
        case province(ProvinceReader, ProvinceURL)
        /// A province opened to name its provinces and cities (`region add`), the one write it
        /// takes by hand: no schema is needed yet.
        case provinceRegistry(ProvinceURL)
    }

    public let caller: Caller
    let backend: Backend
    /// Where notes and warnings go that are not the answer (a row that could not be audited, a
    /// camera ID that names another county): the CLI prints them on stderr.
    let notice: @Sendable (String) -> Void
    /// Footage answers kept between requests, shared by every caller of this store.
    public let answers: FootageCache

    init(backend: Backend, caller: Caller, notice: @escaping @Sendable (String) -> Void, answers: FootageCache = FootageCache()) {
        self.backend = backend
        self.caller = caller
        self.notice = notice
        self.answers = answers
    }

    /// The service over the county store at `path` (SQLite), or over a province when `path` is
    /// a `postgresql://` URL and `access` is `.read`.
    public static func open(_ path: String, access: Access, caller: Caller,
                            notice: @escaping @Sendable (String) -> Void = { _ in }) throws -> IndexService {
        if ProvinceURL.isProvince(path) {
            let url = try ProvinceURL(path)
            let backend: Backend = access == .read ? .province(try ProvinceReader(url: url), url) : .provinceRegistry(url)
            return IndexService(backend: backend, caller: caller, notice: notice)
        }
        return IndexService(backend: .county(CountyStore(path: path, create: access == .create)), caller: caller, notice: notice)
    }

    /// A service over a store already open (tests, the bench).
    public convenience init(store: Store, caller: Caller, notice: @escaping @Sendable (String) -> Void = { _ in },
                            answers: FootageCache = FootageCache()) {
        self.init(backend: .county(CountyStore(store)), caller: caller, notice: notice, answers: answers)
    }

    /// The same store, asked by another caller: the HTTP server opens the store once and makes
    /// each request with the signed-in user.
    public func acting(as caller: Caller) -> IndexService {
        IndexService(backend: backend, caller: caller, notice: notice, answers: answers)
    }

    /// The same store for another thread: a province gets a connection of its own (one
    /// PostgreSQL connection answers one statement at a time); a county store is shared, as
    /// SQLite's pool reads from several threads at once.
    public func withOwnConnection() throws -> IndexService {
        guard case let .province(_, url) = backend else { return self }
        return IndexService(backend: .province(try ProvinceReader(url: url), url), caller: caller, notice: notice, answers: answers)
    }

    /// Whether footage and export requests of users must give a reason (the county's policy,
    /// kept in a county store; a province has none).
    public func reasonRequired() throws -> Bool {
        guard case let .county(county) = backend else { return false }
        return try county.store().requiresReason()
    }

    /// Refuses a user's request without a reason where the county requires one.
    func requireReasonOfUser(_ reason: String?, for what: String) throws {
        guard caller.account != nil, reason == nil, try reasonRequired() else { return }
        throw CamindexError.usage("this county requires a reason for \(what) (a case number or request): give 'reason' or the X-Camindex-Reason header",
                                  code: .auditReasonRequired, value: what)
    }

    /// A province URL as messages show it (password masked); a malformed one is refused.
    public static func provinceLocation(_ url: String) throws -> String { try ProvinceURL(url).description }

    /// The store as the caller sees it: a user limited to regions sees only those (`ScopedReader`).
    func reader() throws -> any IndexReader {
        let base: any IndexReader
        switch backend {
        case let .county(county): base = try county.store()
        case let .province(reader, _): base = reader
        case let .provinceRegistry(url): throw Self.provinceReadOnly(url)
        }
        guard let account = caller.account, !account.regions.isEmpty else { return base }
        return ScopedReader(base: base, account: account)
    }

    /// Refuses a use case the caller's role does not allow; the shell and the daemon may do all.
    func require(_ permission: Permission) throws {
        guard let account = caller.account, !account.may(permission) else { return }
        throw CamindexError.usage("user \(account.name) (\(account.role.rawValue)) may not read or change \(permission.rawValue)",
                                  code: .authForbidden, value: permission.rawValue)
    }

    /// Refuses a use case that only the index machine's shell or daemon runs (registry writes,
    /// indexing, checks, probes, publishing) to a signed-in user.
    func requireShell(_ what: String) throws {
        guard let account = caller.account else { return }
        throw CamindexError.usage("user \(account.name) may not \(what): that is done at the index machine", code: .authForbidden, value: what)
    }

    public var clock: any WallClock {
        switch backend {
        case let .county(county): county.clock
        case .province, .provinceRegistry: SystemClock()
        }
    }

    /// Where the store is, for messages (a path, or a URL without its password).
    public var location: String {
        switch backend {
        case let .county(county): county.path
        case let .province(_, url), let .provinceRegistry(url): url.description
        }
    }

    /// The read use cases, without audit.
    func queries() throws -> Queries { Queries(reader: try reader(), clock: clock) }

    /// The county store, for every use case but reads and naming a province's regions: a
    /// province is written only by publishing.
    func countyStore() throws -> Store {
        switch backend {
        case let .county(county): return try county.store()
        case let .province(_, url), let .provinceRegistry(url): throw Self.provinceReadOnly(url)
        }
    }

    static func provinceReadOnly(_ url: ProvinceURL) -> CamindexError {
        .usage("\(url) is a province (PostgreSQL): it is read-only here, written only by 'camindex publish' from each county's store; give --db the county's SQLite file",
               code: .storeProvinceReadOnly, value: url.description)
    }

    /// Appends a row to the audit trail of the store this service reads. A row that cannot be
    /// written (a read-only copy of the store handed over as evidence) does not stop the use
    /// case it records: the caller is told.
    func audit(_ command: String, reason: String?, cameras: [String], result: String) {
        let entry = AuditEntry(at: clock.now(), user: caller.name, command: command, arguments: caller.invocation,
                               reason: reason, cameras: cameras, result: result)
        do {
            switch backend {
            case let .county(county): try county.store().appendAudit(entry)
            case let .province(reader, _): try reader.appendAudit(entry)
            // The shell's user commands on a province: rows in the province's trail.
            case let .provinceRegistry(url): try ProvinceReader(url: url).appendAudit(entry)
            }
        } catch {
            notice("note: this run was not recorded in the audit trail: \(Redaction.redactSecrets(Self.message(error)))")
        }
    }

    /// Runs an audited use case: the attempt is recorded whatever comes of it — its answer, or
    /// the refusal or failure with its code (an unknown camera asked for, an export that
    /// failed). `body` gets the validated reason and returns the value, the cameras it
    /// concerned and what came of it; `cameras` are those named before it ran. Where the store
    /// itself cannot be opened there is no trail to write to: the error alone is said.
    func audited<T>(_ command: String, reason: String?, cameras: [String],
                    _ body: (String?) throws -> (value: T, cameras: [String], result: String)) throws -> T {
        let given = reason
        let reason: String?
        do { reason = try Reason.validate(given) } catch {
            if storeIsOpen { audit(command, reason: nil, cameras: cameras, result: "refused: \(Self.coded(error))") }
            throw error
        }
        do {
            let (value, concerned, result) = try body(reason)
            audit(command, reason: reason, cameras: concerned, result: result)
            return value
        } catch {
            if storeIsOpen { audit(command, reason: reason, cameras: cameras, result: "\(Self.isRefusal(error) ? "refused" : "failed"): \(Self.coded(error))") }
            throw error
        }
    }

    /// Whether the store has a trail to write to: open, or able to open (a missing or damaged
    /// store has none).
    var storeIsOpen: Bool { (try? trail()) != nil }

    static func coded(_ error: any Error) -> String {
        switch error {
        case let e as CamindexError: "\(e.code.rawValue): \(e.message)"
        case let e as any CamindexErrorConvertible: "\(e.camindexError.code.rawValue): \(e.camindexError.message)"
        default: ErrorText.of(error)
        }
    }

    static func isRefusal(_ error: any Error) -> Bool { (error as? CamindexError)?.kind == .usage }

    /// Any error as the message a person reads.
    static func message(_ error: any Error) -> String { ErrorText.of(error) }

    /// Runs `body`, turning errors of the layers below (FFmpeg's) into `CamindexError`s.
    func coded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as any CamindexErrorConvertible { throw e.camindexError }
    }
}

/// A county's SQLite store, opened at its first use: a use case that fails on its input (an
/// inventory that does not parse) creates no store.
final class CountyStore: Sendable {
    let path: String
    private let create: Bool
    private let opened: Mutex<Store?>
    let clock: any WallClock

    init(path: String, create: Bool, clock: any WallClock = SystemClock()) {
        self.path = path
        self.create = create
        self.clock = clock
        opened = Mutex(nil)
    }

    init(_ store: Store) {
        path = store.location
        create = false
        clock = store.clock
        opened = Mutex(store)
    }

    func store() throws -> Store {
        try opened.withLock { opened in
            if let opened { return opened }
            let store = try Store.open(path: path, create: create, clock: clock)
            opened = store
            return store
        }
    }
}
