import PaygentBench

@main
struct BenchMain {
    static func main() async {
        await BenchCommand.main()
    }
}
