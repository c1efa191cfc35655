import Foundation
import PaygentAgent
import PaygentRuntime

exit(await ServiceHost.main(OrchestratorService.definition))
