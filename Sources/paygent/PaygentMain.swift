import PaygentCLI

@main
struct PaygentMain {
    static func main() async {
        await PaygentCommand.main()
    }
}
