import Glibc

// Output goes through write(2) on the descriptor, never through C's buffered stdout: nothing is
// lost when a later step fails, and no C global is shared between tasks.

/// Whether a file descriptor is a terminal (colour, progress).
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Writes all of `text` to a file descriptor.
func writeAll(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { if errno == EINTR { continue }; return }
        offset += n
    }
    bytes.removeAll()
}
