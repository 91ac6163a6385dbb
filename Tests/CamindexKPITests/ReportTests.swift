import CamindexCore
import CamindexKPI
import CamindexStore
import Foundation
import Testing

/// KPI arithmetic on facts built by hand: exact figures.
@Suite struct ReportTests {
    let day = Interval(startMs: 1_795_104_000_000, endMs: 1_795_190_400_000)  // 2026-11-20 in Shanghai
    let county = Region(code: try! RegionCode("620723"), name: "临泽县")
    let shahe = Region(code: try! RegionCode("620723100"), name: "沙河镇")
    let xiguan = Region(code: try! RegionCode("620723100201"), name: "西关村")
    let hour: Int64 = 3_600_000

    func facts(_ cameras: [CameraFacts], period: Interval) -> Facts {
        Facts(now: period.end, period: period, scope: nil,
              regions: Dictionary(uniqueKeysWithValues: [county, shahe, xiguan].map { ($0.code, $0) }), cameras: cameras, heartbeat: nil)
    }

    func cam(_ id: String, _ region: String, onlineHours: Int64, recordedHours: Int64?, valid: Bool = true, clock: Double? = nil,
             period: Interval) -> CameraFacts {
        CameraFacts(id: id, name: id, regionCode: region, live: true, records: recordedHours != nil, state: .online,
                    clockOffsetS: clock, validVideo: valid,
                    recorded: recordedHours.map { [Interval(period.start, period.start + $0 * hour)] } ?? [],
                    online: [Interval(period.start, period.start + onlineHours * hour)])
    }

    @Test func figuresByRegionWithChange() {
        let prev = Interval(day.start - 86_400_000, day.start)
        let now = [
            cam("a", "620723100", onlineHours: 24, recordedHours: 24, clock: 0.5, period: day),
            cam("b", "620723100", onlineHours: 12, recordedHours: 18, clock: -12, period: day),
            cam("c", "620723100201", onlineHours: 24, recordedHours: nil, valid: false, period: day),
            cam("d", "620723100201", onlineHours: 23, recordedHours: 6, period: day),
        ]
        let before = [
            cam("a", "620723100", onlineHours: 24, recordedHours: 24, period: prev),
            cam("b", "620723100", onlineHours: 24, recordedHours: 24, period: prev),
            cam("c", "620723100201", onlineHours: 24, recordedHours: nil, period: prev),
            cam("d", "620723100201", onlineHours: 24, recordedHours: 24, period: prev),
        ]
        let r = Report(current: facts(now, period: day), previous: facts(before, period: prev))
        #expect(r.regions.map(\.region.code) == ["620723", "620723100", "620723100201"])
        let t = r.regions[1]  // 沙河镇: all four
        #expect(t.cameras == 4 && t.liveCameras == 4 && t.recordingCameras == 3)
        #expect(t.onlineRate == 83.0 / 96)          // (24+12+24+23) h / (4 × 24 h)
        #expect(t.goodRate == 0.5)                   // a (24 h) and d (23 h ≥ 22.8 h); c has no valid video, b 50%
        #expect(t.recordingIntegrity == 48.0 / 72)   // (24+18+6) / (3 × 24)
        #expect(r.previous["620723100"]?.onlineRate == 1)
        let v = r.regions[2]  // 西关村: c and d
        #expect(v.onlineRate == 47.0 / 48 && v.goodRate == 0.5 && v.recordingIntegrity == 0.25)
        #expect(r.worstCameras.map(\.camera.id) == ["d", "b"], "c is online all day: not among the worst")
        #expect(r.longestGaps.map { [$0.camera.id, String($0.gap.durationMs / hour)] } == [["d", "18"], ["b", "6"]])
        #expect(r.clockOffenders.map(\.id) == ["b"])
    }

    @Test func htmlIsSelfContained() {
        let r = Report(current: facts([cam("a", "620723100201", onlineHours: 20, recordedHours: 10, period: day)], period: day),
                       previous: facts([], period: Interval(day.start - 86_400_000, day.start)))
        let html = r.html(title: "临泽县 <测试>", zone: TimeZone(identifier: "Asia/Shanghai")!)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("临泽县 &lt;测试&gt;"))
        #expect(html.contains("<svg") && html.contains("西关村 620723100201"))
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"),
                "nothing fetched from the network")
        #expect(!html.contains("<script") && !html.contains("<link"))
        #expect(html.components(separatedBy: "fill=\"#e53e3e\"").count - 1 == 1, "one recording gap")
    }
}
