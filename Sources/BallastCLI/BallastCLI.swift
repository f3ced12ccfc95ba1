/// Entry point of the `ballast` executable.
public enum BallastMain {
    public static func main() async {}
}
