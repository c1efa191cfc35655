import Foundation
import PaygentOrchestrator
import PaygentRuntime

exit(await ServiceHost.main(OrchestratorService.definition))
