import CamindexCore
import CamindexKPI
import CamindexStore
import Foundation
import Testing

/// Health checks on facts built by hand: exact statuses, perfdata and lines.
@Suite struct HealthTests {
    let now = Instant(ms: 1_795_132_800_000)  // 2026-11-20T08:00+08:00
    let county = Region(code: try! RegionCode("620723"), name: "临泽县")
    let shahe = Region(code: try! RegionCode("620723100"), name: "沙河镇")
    let xinhua = Region(code: try! RegionCode("620723101"), name: "新华镇")

    func facts(_ cameras: [CameraFacts], heartbeatAgeMs: Int64? = 30_000, scope: Region? = nil) -> Facts {
        let regions = [county, shahe, xinhua].filter { scope == nil || $0.code.hasPrefix(scope!.code) || scope!.code.hasPrefix($0.code) }
        return Facts(now: now, period: Interval(now - 86_400_000, now), scope: scope,
                     regions: Dictionary(uniqueKeysWithValues: regions.map { ($0.code, $0) }), cameras: cameras,
                     heartbeat: heartbeatAgeMs.map { Heartbeat(pid: 7, started: now - $0 - 60_000, ended: now - $0, cameras: 0, probes: 0,
                                                               probeFailures: 0, filesIndexed: 0, filesFailed: 0) })
    }

    func cam(_ id: String, _ region: String, _ state: CameraFacts.State, offlineFor hours: Double = 1, recordedHours: Double = 24,
             clock: Double? = nil, failed: Int = 0) -> CameraFacts {
        CameraFacts(id: id, name: id, regionCode: region, live: true, records: true, state: state,
                    since: now - Int64(hours * 3_600_000), clockOffsetS: clock, validVideo: true,
                    recorded: [Interval(now - Int64(recordedHours * 3_600_000), now)], failedFiles: failed)
    }

    /// 沙河镇 34 cameras, 31 online: 91.2% — the example of the issue.
    var shaheCameras: [CameraFacts] {
        (0..<34).map { i in cam("s\(i)", "620723100", i < 31 ? .online : .offline, offlineFor: i < 31 ? 1 : 30) }
    }

    @Test func allGood() {
        let cams = (0..<50).map { cam("c\($0)", "620723101", .online, clock: 0.2) }
        let r = Health.evaluate(facts(cams), thresholds: HealthThresholds())
        #expect(r.status == .ok)
        let first = r.pluginText.split(separator: "\n")[0]
        #expect(first.hasPrefix("CAMINDEX OK - all regions: 50 cameras, online 100.0%, recording 100.0%, heartbeat 30s ago | "))
        #expect(first.contains("'online'=100%;98:;95:;0;100"))
        #expect(first.contains("'heartbeat_age'=30s;180;600;0"))
        #expect(first.contains("'clock_offset_max'=0.2s;5;60;0"))
    }

    @Test func issueExample() {
        let r = Health.evaluate(facts(shaheCameras, scope: shahe), thresholds: HealthThresholds(), checks: [.online, .offline])
        #expect(r.status == .critical)
        let first = r.pluginText.split(separator: "\n")[0]
        #expect(first.hasPrefix("CAMINDEX CRITICAL - 沙河镇 online 91.2% (< 95%), 3 cameras offline > 24h | 'online'=91.2%;98:;95:;0;100"))
        #expect(first.contains("'offline_24h'=3;0;10;0"))
        #expect(r.pluginText.contains("[CRITICAL] online 沙河镇 (620723100): 91.2% (31 of 34 cameras)"))
    }

    @Test func warningBetweenThresholds() {
        // 97 of 100 online: below 98 (warning), not below 95.
        let cams = (0..<100).map { cam("c\($0)", "620723100", $0 < 97 ? .online : .offline) }
        let r = Health.evaluate(facts(cams, scope: shahe), thresholds: HealthThresholds(), checks: [.online])
        #expect(r.status == .warning)
        #expect(r.pluginText.hasPrefix("CAMINDEX WARNING - 沙河镇 online 97.0% (< 98%)"))
    }

    @Test func provinceLabelsEachCountyAndTotalsTheStore() {
        // Two counties unscoped (a province): one label each, the unlabelled figures the
        // province's; counties only, a county's townships come with --region.
        let gaotai = Region(code: try! RegionCode("620724"), name: "高台县")
        let cams = (0..<10).map { cam("a\($0)", "620723100", .online) }
            + (0..<10).map { cam("b\($0)", "620724", $0 < 8 ? .online : .offline, recordedHours: 12) }
        let f = Facts(now: now, period: Interval(now - 86_400_000, now), scope: nil,
                      regions: Dictionary(uniqueKeysWithValues: [county, shahe, gaotai].map { ($0.code, $0) }), cameras: cams, heartbeat: nil)
        #expect(f.breakdown(villages: true).map(\.code) == ["620723", "620724"])
        let r = Health.evaluate(f, thresholds: HealthThresholds(), checks: [.online, .recording])
        #expect(r.checks[0].perfdata.map(\.formatted) == ["'online'=90%;98:;95:;0;100", "'online_620723'=100%;98:;95:;0;100",
                                                          "'online_620724'=80%;98:;95:;0;100"])
        #expect(r.checks[1].perfdata.map(\.formatted) == ["'recording'=75%;95:;90:;0;100", "'recording_620723'=100%;95:;90:;0;100",
                                                          "'recording_620724'=50%;95:;90:;0;100"])
        #expect(r.pluginText.hasPrefix("CAMINDEX CRITICAL - 高台县 online 80.0% (< 95%), 高台县 recording 50.0% (< 90%) | 'online'=90%"))
        // Scoped to a county of the province, its townships as on the county's own store.
        let scoped = Facts(now: now, period: f.period, scope: county, regions: f.regions, cameras: cams, heartbeat: nil)
        #expect(scoped.breakdown(villages: false).map(\.code) == ["620723", "620723100"])
    }

    @Test func perTownshipRatesAndWorstWins() {
        let cams = (0..<10).map { cam("a\($0)", "620723100", .online) } + (0..<10).map { cam("b\($0)", "620723101", $0 < 9 ? .online : .offline) }
        let r = Health.evaluate(facts(cams), thresholds: HealthThresholds(), checks: [.online])
        #expect(r.online.map { [$0.region.code, "\($0.good)/\($0.total)"] } == [["620723", "19/20"], ["620723100", "10/10"], ["620723101", "9/10"]])
        #expect(r.status == .critical)  // 新华镇 90%
        let perf = r.checks[0].perfdata.map(\.formatted)
        #expect(perf == ["'online'=95%;98:;95:;0;100", "'online_620723100'=100%;98:;95:;0;100", "'online_620723101'=90%;98:;95:;0;100"])
    }

    @Test func unprobedCamerasCountAsNotOnline() {
        let cams = [cam("a", "620723100", .online), cam("b", "620723100", .unknown)]
        let r = Health.evaluate(facts(cams, scope: shahe), thresholds: HealthThresholds(), checks: [.online])
        #expect(r.online.first?.percent == 50)
    }

    @Test func heartbeat() throws {
        #expect(Health.evaluate(facts([], heartbeatAgeMs: nil), thresholds: HealthThresholds(), checks: [.heartbeat]).status == .critical)
        #expect(Health.evaluate(facts([], heartbeatAgeMs: 200_000), thresholds: HealthThresholds(), checks: [.heartbeat]).status == .warning)
        #expect(Health.evaluate(facts([], heartbeatAgeMs: 700_000), thresholds: HealthThresholds(), checks: [.heartbeat]).status == .critical)
        let none = Health.evaluate(facts([], heartbeatAgeMs: nil), thresholds: HealthThresholds(), checks: [.heartbeat])
        #expect(none.pluginText.hasPrefix("CAMINDEX CRITICAL - no daemon heartbeat (index stale)"))
    }

    @Test func recordingIntegrityIsCoveredOverExpected() {
        // Two cameras over 24 h: 24 h and 20.4 h recorded → 92.5% (warning below 95, not critical below 90).
        let cams = [cam("a", "620723100", .online, recordedHours: 24), cam("b", "620723100", .online, recordedHours: 20.4)]
        let r = Health.evaluate(facts(cams, scope: shahe), thresholds: HealthThresholds(), checks: [.recording])
        #expect(r.status == .warning)
        #expect(r.checks[0].perfdata.map(\.formatted) == ["'recording'=92.5%;95:;90:;0;100"])
        #expect(r.recording.first?.coveredMs == Int64(44.4 * 3_600_000))
        #expect(r.recording.first.map { $0.expectedMs } == Int64(172_800_000))
    }

    @Test func clockAndIndexErrors() throws {
        let cams = [cam("a", "620723100", .online, clock: -7.5), cam("b", "620723100", .online, clock: 1, failed: 2)]
        let r = Health.evaluate(facts(cams), thresholds: HealthThresholds(), checks: [.clock, .index])
        #expect(r.checks.map(\.status) == [.warning, .warning])
        #expect(r.checks[0].perfdata[0].value == 7.5)
        #expect(r.checks[0].details == ["[WARNING] clock a a: -7.5 s"])
        #expect(r.checks[1].perfdata[0].formatted == "'index_errors'=2;0;100;0")
        var t = HealthThresholds()
        t.clockWarning = try ThresholdRange("10")
        t.indexWarning = try ThresholdRange("5")
        #expect(Health.evaluate(facts(cams), thresholds: t, checks: [.clock, .index]).status == .ok)
    }

    @Test func prometheusText() {
        let r = Health.evaluate(facts(shaheCameras, scope: shahe), thresholds: HealthThresholds())
        let text = r.prometheusText
        #expect(text.contains("camindex_health_status 2\n"))
        #expect(text.contains("camindex_online_ratio{region_code=\"620723100\",region_name=\"沙河镇\"} 0.9117647058823529\n"))
        #expect(text.contains("camindex_cameras{region_code=\"620723100\",region_name=\"沙河镇\",state=\"offline\"} 3\n"))
        #expect(text.contains("camindex_camera_up{camera=\"s33\",camera_name=\"s33\",region_code=\"620723100\"} 0\n"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.hasPrefix("camindex_"), "\(line)")
        }
    }
}

/// The quality check: online cameras whose last judged picture showed a fault.
@Suite struct QualityHealthTests {
    let now = Instant(ms: 1_795_132_800_000)  // 2026-11-20T08:00+08:00
    let shahe = Region(code: try! RegionCode("620723100"), name: "沙河镇")

    func cam(_ id: String, _ state: CameraFacts.State, _ quality: [PictureVerdict]?) -> CameraFacts {
        CameraFacts(id: id, name: "镇\(id)", regionCode: shahe.code, live: true, records: false, state: state, since: now - 3_600_000,
                    validVideo: true, online: [Interval(now - 86_400_000, now)], quality: quality, qualityAt: quality == nil ? nil : now - 60_000)
    }

    func facts(_ cameras: [CameraFacts]) -> Facts {
        Facts(now: now, period: Interval(now - 86_400_000, now), scope: nil, regions: [shahe.code: shahe], cameras: cameras, heartbeat: nil)
    }

    @Test func warnsListingEachFaultWithValueAndThreshold() {
        let black = PictureVerdict(fault: .black, measured: 2.5, threshold: 24)
        let cams = [cam("a", .online, []), cam("b", .online, [black]), cam("c", .offline, [black]), cam("d", .online, nil)]
        let r = Health.evaluate(facts(cams), thresholds: HealthThresholds(), checks: [.quality])
        #expect(r.status == .warning)
        let lines = r.pluginText.split(separator: "\n").map(String.init)
        #expect(lines[0] == "CAMINDEX WARNING - 1 online camera with picture faults | 'quality_faults'=1;0;100;0")
        #expect(lines[1] == "[WARNING] picture b 镇b (沙河镇): black 2.5 (< 24.0) at 2026-11-20T07:59:00+08:00")
        #expect(lines.count == 2, "the offline camera's picture is not counted")
        #expect(r.prometheusText.contains("camindex_camera_picture_ok{camera=\"a\",region_code=\"620723100\"} 1"))
        #expect(r.prometheusText.contains("camindex_camera_picture_fault{camera=\"b\",region_code=\"620723100\",fault=\"black\"} 2.5"))

        var lenient = HealthThresholds()
        lenient.qualityWarning = try! ThresholdRange("2")
        #expect(Health.evaluate(facts(cams), thresholds: lenient, checks: [.quality]).status == .ok)
    }

    @Test func goodOrderNeedsAPictureWithoutFault() {
        let cast = PictureVerdict(fault: .colourCast, measured: 44, threshold: 30)
        let current = facts([cam("a", .online, []), cam("b", .online, [cast]), cam("c", .online, nil)])
        let report = Report(current: current, previous: facts([]))
        let county = report.regions.first { $0.region.code == shahe.code }!
        // c was never judged (no picture decoded yet): in good order by codec and resolution.
        #expect(county.goodCameras == 2 && county.liveCameras == 3)
    }
}
