import Foundation
import PaygentWire

/// The rules for wallet names, which people type and read: a name is stored in Unicode NFC, is
/// 1–64 characters of letters, digits, `-` and `_` (letters of any script, in their plain form:
/// no full-width or other compatibility variants), and may not look like an existing name: two
/// names that are equal once lower-cased are the same name. A name typed in another
/// normalisation (NFD "café") finds the wallet stored in NFC.
enum WalletName {
    static let rule = "a wallet name is 1–64 letters, digits, '-' or '_' (plain forms, no full-width or styled variants)"

    /// The canonical form of a name being created, or why it is refused.
    static func validated(_ name: String) throws(PaygentError) -> String {
        let nfc = normalized(name)
        guard (1...64).contains(nfc.count) else { throw PaygentError(.badRequest, rule) }
        guard nfc == nfc.precomposedStringWithCompatibilityMapping else {
            throw PaygentError(.badRequest, "'\(name)' uses compatibility characters (full-width or styled forms); \(rule)")
        }
        for scalar in nfc.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter, .decimalNumber: continue
            default:
                guard scalar == "-" || scalar == "_" else { throw PaygentError(.badRequest, rule) }
            }
        }
        return nfc
    }

    /// NFC, the form names are stored and looked up in.
    static func normalized(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
    }

    /// What two names that look alike share.
    static func skeleton(_ name: String) -> String {
        normalized(name).precomposedStringWithCompatibilityMapping.lowercased()
    }
}
