import Foundation
import PaygentVVS
import PaygentRuntime

exit(await ServiceHost.main(VVSService.definition))
