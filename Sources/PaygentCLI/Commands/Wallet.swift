import ArgumentParser
import PaygentCrypto

struct Wallet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wallet tools.",
        subcommands: [Address.self]
    )

    struct Address: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the EIP-55 address of a key file.",
            discussion: "Reads a keystore v3 file (asking for its password) or a file holding a 0x-hex private key. The key itself is never printed."
        )

        @OptionGroup var key: KeyOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let address = try key.load().address
            if json {
                struct Out: Encodable { var address: String }
                try printJSON(Out(address: address.eip55))
            } else {
                print(address.eip55)
            }
        }
    }
}
