import Foundation
import PaygentPayments
import PaygentRuntime

exit(await ServiceHost.main(PaymentsService.definition))
