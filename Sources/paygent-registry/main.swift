import Foundation
import PaygentRegistry
import PaygentRuntime

exit(await ServiceHost.main(RegistryService.definition))
