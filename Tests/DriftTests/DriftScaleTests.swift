import Foundation
import Testing
import KubeModel
import Findings
@testable import Drift

/// One run over a fleet the size issue 14 names (10,000 StatefulSets, 30,000 claims, 30,000 PVs). Not
/// timed (no timed unit tests); it proves the whole-fleet passes give the right counts. Measure with
/// `BALLAST_DRIFT_SCALE=10000 swift test -c release --filter DriftScaleTests` (default 1,000 in CI).
@Suite("drift at fleet scale")
struct DriftScaleTests {
    @Test("every StatefulSet compared, every orphan found, nothing else")
    func fleet() throws {
        let count = Int(ProcessInfo.processInfo.environment["BALLAST_DRIFT_SCALE"] ?? "") ?? 1_000
        let fixture = try DriftCase(name: "rd9-kubectl-scale-out-of-band")
        let desiredSet = try #require(fixture.desired.first)
        let liveSet = try #require(fixture.live.objects.first)
        let claim = try #require(try DriftCase(name: "rd4-orphaned-vct-claim").live.objects.first { $0.kind == "PersistentVolumeClaim" })
        let volume = try #require(try DriftCase(name: "rd5-pv-reclaim-inherited").live.objects.first { $0.kind == "PersistentVolume" })
        var desired: [KubeObject] = []
        var live: [KubeObject] = []
        desired.reserveCapacity(count)
        live.reserveCapacity(count * 7)
        for i in 0..<count {
            let namespace = "ns-\(i % 200)", name = "redis-\(i)"
            var d = desiredSet
            d.ref = ObjectRef(group: "apps", kind: "StatefulSet", namespace: namespace, name: name)
            desired.append(d)
            var l = liveSet
            l.ref = d.ref
            live.append(l)
            // three claims in range, and every tenth StatefulSet left one behind at ordinal 7 (beyond git's
            // replicas and live's: a claim within live's replicas is in use, not orphaned)
            for ordinal in i % 10 == 0 ? [0, 1, 2, 7] : [0, 1, 2] {
                var c = claim
                c.ref = ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: namespace, name: "data-\(name)-\(ordinal)")
                live.append(c)
                var v = volume
                v.ref = ObjectRef(group: "", kind: "PersistentVolume", namespace: nil, name: "pvc-\(i)-\(ordinal)")
                live.append(v)
            }
        }
        let state = LiveState(objects: live, completeKinds: ["apps/StatefulSet", "PersistentVolumeClaim", "PersistentVolume"])
        let started = ContinuousClock.now
        let comparison = DriftComparer().compare(desired: desired, live: state)
        let elapsed = ContinuousClock.now - started
        if ProcessInfo.processInfo.environment["BALLAST_DRIFT_SCALE"] != nil { print("drift scale \(count): \(elapsed)") }
        #expect(comparison.compared == count)
        #expect(comparison.items.filter { $0.path == "spec.replicas" }.count == count)
        #expect(comparison.items.filter { $0.desired == "<orphaned>" }.count == (count + 9) / 10)
        #expect(comparison.items.count == count + (count + 9) / 10)
    }
}
