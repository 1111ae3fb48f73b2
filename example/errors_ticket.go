package altalune

import "google.golang.org/grpc/codes"

// CodeTicketAlreadyClosed extends the ticket block (605XX) next to the
// generated not-found and already-exists codes.
const CodeTicketAlreadyClosed = "60503"

// NewTicketAlreadyClosedError reports an attempt to close a ticket that is
// closed already.
func NewTicketAlreadyClosedError(ticketID string) *AppError {
	return newError(CodeTicketAlreadyClosed, codes.FailedPrecondition,
		"Ticket with ID '"+ticketID+"' is already closed",
		map[string]string{"ticket_id": ticketID})
}
