import Foundation
import KubeModel

/// Writes one list file incrementally: items as they arrive, the list header at the end (the items are
/// written after a fixed-size gap that the header and padding fill, so nothing is held in memory). The bytes
/// go to a temporary name beside the file, renamed over it by `finish`: a list cut short, a full disk or a
/// killed process never leaves a half-written list under the real name (an unfinished writer removes its
/// temporary file).
final class ListFileWriter {
    private let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var count = 0
    private var finished = false
    /// Room for `{"kind":...,"apiVersion":...,"metadata":{"resourceVersion":...},"items":[`.
    private static let headerRoom = 512

    init(path: String) throws(ClusterError) {
        self.path = path
        temporaryPath = Snapshot.temporaryName(for: path)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .snapshot(path: path, problem: "cannot create: \(String(cString: strerror(errno)))") }
        guard fchmod(fd, 0o600) == 0 else {
            close(fd); fd = -1; unlink(temporaryPath)
            throw .snapshot(path: path, problem: "cannot make it private")
        }
        reset()
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !finished { unlink(temporaryPath) }
    }

    /// Drops everything written (the list restarted after 410 Gone).
    func reset() {
        _ = ftruncate(fd, 0)
        _ = lseek(fd, off_t(ListFileWriter.headerRoom), SEEK_SET)
        count = 0
    }

    func append(_ json: ArraySlice<UInt8>) throws(ClusterError) {
        try put(count == 0 ? [0x0A] : [0x2C, 0x0A])
        try put(json)
        count += 1
    }

    func finish(kind: String, apiVersion: String, resourceVersion: String?) throws(ClusterError) {
        try put(Array((count == 0 ? "]}\n" : "\n]}\n").utf8))
        var header = "{\"kind\":\(jsonQuoted(kind + "List")),\"apiVersion\":\(jsonQuoted(apiVersion)),\"metadata\":{"
        if let resourceVersion { header += "\"resourceVersion\":\(jsonQuoted(resourceVersion))" }
        header += "},\"items\":["
        var bytes = Array(header.utf8)
        guard bytes.count <= ListFileWriter.headerRoom else { throw .snapshot(path: path, problem: "list header too long") }
        // JSON allows white space before the first item: pad the gap with spaces.
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: ListFileWriter.headerRoom - bytes.count))
        _ = lseek(fd, 0, SEEK_SET)
        try put(bytes)
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw .snapshot(path: path, problem: "write failed: \(String(cString: strerror(errno)))") }
        guard rename(temporaryPath, path) == 0 else {
            throw .snapshot(path: path, problem: "cannot move it into place: \(String(cString: strerror(errno)))")
        }
        finished = true
    }

    private func put(_ bytes: some Collection<UInt8>) throws(ClusterError) {
        let bytes = ArraySlice(bytes)
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw .snapshot(path: path, problem: "write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}
