import ArgumentParser
import Foundation
import PaygentCrypto
import PaygentKeystore
import PaygentX402

/// Where a command gets a signing key: a keystore v3 file (password from a file, the
/// environment, or a prompt) or a file holding a 0x-hex private key.
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: ArgumentHelp("Keystore v3 JSON file, or a file holding a 0x-hex private key.", valueName: "file"))
    var keyFile: String

    @Option(name: .customLong("password-file"), help: ArgumentHelp("File whose first line is the keystore password (else $PAYGENT_KEYSTORE_PASSWORD, else a prompt).", valueName: "file"))
    var passwordFile: String?

    func load() throws -> PrivateKey {
        guard let data = FileManager.default.contents(atPath: keyFile) else {
            throw CLIError("cannot read key file \(keyFile)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") {
            let keystore: Keystore
            do {
                keystore = try JSONDecoder().decode(Keystore.self, from: data)
            } catch {
                throw CLIError("\(keyFile) is JSON but not a keystore v3 file")
            }
            do {
                return try keystore.decrypt(password: try password())
            } catch let error as KeystoreError {
                throw CLIError("\(keyFile): \(error.message)")
            }
        }
        do {
            return try PrivateKey(hex: text)
        } catch {
            throw CLIError("\(keyFile) holds neither a keystore nor a 0x-hex private key: \(error.message)")
        }
    }

    init() {}

    init(keyFile: String, passwordFile: String?) {
        self.keyFile = keyFile
        self.passwordFile = passwordFile
    }

    func password() throws -> String {
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CLIError("cannot read password file \(passwordFile)")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        if let password = ProcessInfo.processInfo.environment["PAYGENT_KEYSTORE_PASSWORD"] {
            return password
        }
        guard isatty(STDIN_FILENO) != 0, let typed = getpass("Password for \(keyFile): ") else {
            throw ValidationError("the keystore needs a password: use --password-file or PAYGENT_KEYSTORE_PASSWORD")
        }
        return String(cString: typed)
    }
}

/// Prints a value as pretty JSON with sorted keys; dates as ISO 8601 strings (UTC).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Reads a command argument that may be `-` for standard input, or a file path when it names one.
func readArgument(_ value: String) throws -> String {
    if value == "-" {
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return value
}

func readFile(_ path: String) throws -> String {
    if path == "-" { return try readArgument(path) }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CLIError("cannot read \(path)")
    }
    return text
}

/// Offers from `--requirements`: a file, `-` for standard input, or the value itself (JSON or a
/// base64 PAYMENT-REQUIRED header).
func loadOffers(_ argument: String) throws -> [Offer] {
    let text = FileManager.default.fileExists(atPath: argument) || argument == "-" ? try readFile(argument) : argument
    do {
        return try Offer.parse(text)
    } catch {
        throw CLIError("\(error)")
    }
}
