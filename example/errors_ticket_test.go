package altalune

import (
	"testing"

	"google.golang.org/grpc/codes"
)

func TestNewTicketAlreadyClosedError(t *testing.T) {
	err := NewTicketAlreadyClosedError("abcdefghjk2345")
	if err.Code() != "60503" || err.GRPCCode() != codes.FailedPrecondition {
		t.Fatalf("got code %q / %v, want 60503 / FailedPrecondition", err.Code(), err.GRPCCode())
	}
	if want := "Ticket with ID 'abcdefghjk2345' is already closed"; err.Message() != want {
		t.Fatalf("Message() = %q, want %q", err.Message(), want)
	}
	st := err.GRPCStatus()
	if len(st.Details()) != 1 {
		t.Fatalf("status has %d details, want 1", len(st.Details()))
	}
}

func TestNewTicketClosedKeptError(t *testing.T) {
	err := NewTicketClosedKeptError("abcdefghjk2345")
	if err.Code() != "60504" || err.GRPCCode() != codes.FailedPrecondition {
		t.Fatalf("got code %q / %v, want 60504 / FailedPrecondition", err.Code(), err.GRPCCode())
	}
	if want := "Ticket with ID 'abcdefghjk2345' is closed and kept for the record"; err.Message() != want {
		t.Fatalf("Message() = %q, want %q", err.Message(), want)
	}
}
