import Foundation
import PaygentMoonlander
import PaygentRuntime

exit(await ServiceHost.main(MoonlanderService.definition))
