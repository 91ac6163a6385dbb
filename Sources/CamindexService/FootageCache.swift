import CamindexCore
import Foundation
import Synchronization

/// Footage answers kept between requests while the store's change counters say that nothing
/// they were read from has changed (`IndexReader.registryGeneration`, `footageGenerations`,
/// read before the answer's own fetches). The web page and the API ask the same township and
/// day again and again, and each answer is hundreds of cameras read from the store; yesterday's
/// answer stays while today's files are indexed. Answers with live windows are never kept
/// (probes change them every minute). Each answer is kept under the asking user's scope; the
/// audit row of every request is written by the service as before. Bounded by an estimate of
/// the bytes held, the least recently used dropped first.
public final class FootageCache: Sendable {
    struct SelectionKey: Hashable, Sendable {
        /// The user's regions, sorted; nil for a caller who sees every camera.
        var scope: [String]?
        var selector: CameraSelector
        var includeDisabled: Bool
    }

    struct AnswerKey: Hashable, Sendable {
        var selection: SelectionKey
        var range: Interval
        var zone: String
        var maxGapMs: Int64
    }

    private struct Kept<Value: Sendable>: Sendable {
        var value: Value
        var registry: Int64
        var footage: FootageGenerations?
        var bytes: Int
        var used: UInt64
    }

    private struct State: Sendable {
        var selections: [SelectionKey: Kept<KeptSelection>] = [:]
        var answers: [AnswerKey: Kept<FootageAnswer>] = [:]
        var bytes = 0
        var tick: UInt64 = 0
        var served = 0
    }

    private let state = Mutex(State())
    let limitBytes: Int

    /// - Parameter limitBytes: what the kept answers may hold, roughly (a township's day is ~0.3 MB).
    public init(limitBytes: Int = 64 << 20) {
        self.limitBytes = limitBytes
    }

    /// What is held, and how many answers were given from it (tests, the bench).
    public var held: (answers: Int, selections: Int, bytes: Int, served: Int) {
        state.withLock { ($0.answers.count, $0.selections.count, $0.bytes, $0.served) }
    }

    /// A selection and the zones of its cameras.
    struct KeptSelection: Sendable {
        var selection: CameraSelection
        var zones: Set<String>
    }

    func selection(_ key: SelectionKey, registry: Int64) -> KeptSelection? {
        state.withLock { s in
            guard var kept = s.selections[key], kept.registry == registry else { return nil }
            s.tick += 1
            kept.used = s.tick
            s.selections[key] = kept
            return kept.value
        }
    }

    func keep(_ selection: KeptSelection, _ key: SelectionKey, registry: Int64) {
        insert(\.selections, key, Kept(value: selection, registry: registry, footage: nil, bytes: Self.bytes(selection), used: 0))
    }

    func answer(_ key: AnswerKey, registry: Int64, footage: FootageGenerations) -> FootageAnswer? {
        state.withLock { s in
            guard var kept = s.answers[key], kept.registry == registry, kept.footage == footage else { return nil }
            s.served += 1
            s.tick += 1
            kept.used = s.tick
            s.answers[key] = kept
            return kept.value
        }
    }

    func keep(_ answer: FootageAnswer, _ key: AnswerKey, registry: Int64, footage: FootageGenerations) {
        insert(\.answers, key, Kept(value: answer, registry: registry, footage: footage, bytes: Self.bytes(answer), used: 0))
    }

    private func insert<K: Hashable & Sendable, V: Sendable>(_ table: WritableKeyPath<State, [K: Kept<V>]>, _ key: K, _ kept: Kept<V>) {
        guard kept.bytes <= limitBytes / 4 else { return }
        state.withLock { s in
            s.tick += 1
            var kept = kept
            kept.used = s.tick
            if let old = s[keyPath: table].updateValue(kept, forKey: key) { s.bytes -= old.bytes }
            s.bytes += kept.bytes
            while s.bytes > limitBytes { Self.dropOldest(&s) }
        }
    }

    private static func dropOldest(_ s: inout State) {
        let oldestAnswer = s.answers.min { $0.value.used < $1.value.used }
        let oldestSelection = s.selections.min { $0.value.used < $1.value.used }
        if let a = oldestAnswer, a.value.used < oldestSelection?.value.used ?? .max {
            s.bytes -= a.value.bytes
            s.answers[a.key] = nil
        } else if let c = oldestSelection {
            s.bytes -= c.value.bytes
            s.selections[c.key] = nil
        }
    }

    // Estimates: a camera's row and its strings, a span; an answer's JSON once written (~0.5 KB
    // a camera, ~0.15 KB a span).
    private static func bytes(_ kept: KeptSelection) -> Int { 512 + kept.selection.items.count * 320 }

    private static func bytes(_ answer: FootageAnswer) -> Int {
        answer.cameras.reduce(512 + answer.regions.count * 160) { total, c in
            total + 900 + (c.windows.count + c.gaps.count + (c.online?.count ?? 0)) * 180
        }
    }
}

extension Queries {
    /// `footage(_:)` through `cache`: the selection is kept while the registry is unchanged,
    /// the answer while the registry and the footage of its days are.
    func footage(_ q: FootageQuery, cache: FootageCache, scope: [String]?) throws -> FootageAnswer {
        guard !q.live, let registry = try reader.registryGeneration() else { return try footage(q) }
        let selectionKey = FootageCache.SelectionKey(scope: scope, selector: q.selector, includeDisabled: q.includeDisabled)
        let kept: FootageCache.KeptSelection
        if let found = cache.selection(selectionKey, registry: registry) {
            kept = found
        } else {
            let selection = try select(q.selector, includeDisabled: q.includeDisabled)
            kept = .init(selection: selection, zones: Set(selection.items.map(\.camera.timezone)))
            cache.keep(kept, selectionKey, registry: registry)
        }
        let selection = kept.selection
        let zone = try Self.zone(of: kept.zones, override: q.timezone)
        let range = try DateSpec(date: q.date, zone: zone).range(from: q.from, to: q.to, now: clock.now())
        guard let generations = try reader.footageGenerations(range: range, gapMs: q.maxGapMs) else { return try footage(q) }
        let key = FootageCache.AnswerKey(selection: selectionKey, range: range, zone: zone.identifier, maxGapMs: q.maxGapMs)
        if let kept = cache.answer(key, registry: registry, footage: generations) { return kept }
        let answer = try footage(of: selection, range: range, zone: zone, q)
        cache.keep(answer, key, registry: registry, footage: generations)
        return answer
    }
}
