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

// CodeTicketClosedKept refuses the delete of a closed ticket.
const CodeTicketClosedKept = "60504"

// NewTicketClosedKeptError reports an attempt to delete a closed ticket,
// which is kept for the record.
func NewTicketClosedKeptError(ticketID string) *AppError {
	return newError(CodeTicketClosedKept, codes.FailedPrecondition,
		"Ticket with ID '"+ticketID+"' is closed and kept for the record",
		map[string]string{"ticket_id": ticketID})
}
