package altalune

import (
	"testing"

	"google.golang.org/grpc/codes"
)

func TestNewAPIKeyUnknownSecretError(t *testing.T) {
	err := NewAPIKeyUnknownSecretError()
	if err.Code() != "60603" || err.GRPCCode() != codes.NotFound {
		t.Fatalf("got code %q / %v, want 60603 / NotFound", err.Code(), err.GRPCCode())
	}
	if want := "No API key has this secret"; err.Message() != want {
		t.Fatalf("Message() = %q, want %q", err.Message(), want)
	}
	if len(err.GRPCStatus().Details()) != 1 {
		t.Fatal("want one ErrorDetail")
	}
}

func TestNewAPIKeyLimitReachedError(t *testing.T) {
	err := NewAPIKeyLimitReachedError(25)
	if err.Code() != "60604" || err.GRPCCode() != codes.FailedPrecondition {
		t.Fatalf("got code %q / %v, want 60604 / FailedPrecondition", err.Code(), err.GRPCCode())
	}
	if want := "A project may hold at most 25 active API keys"; err.Message() != want {
		t.Fatalf("Message() = %q, want %q", err.Message(), want)
	}
}
