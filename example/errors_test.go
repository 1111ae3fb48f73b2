package altalune

import (
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		name     string
		err      *AppError
		code     string
		grpcCode codes.Code
		message  string
		meta     map[string]string
	}{
		{
			name:     "invalid payload",
			err:      NewInvalidPayloadError("name: value is required"),
			code:     "60001",
			grpcCode: codes.InvalidArgument,
			message:  "name: value is required",
		},
		{
			name:     "unexpected",
			err:      NewUnexpectedError("Failed to create project", errors.New("connection refused")),
			code:     "69901",
			grpcCode: codes.Internal,
			message:  "Failed to create project",
			meta:     map[string]string{"underlying_error": "connection refused"},
		},
		{
			name:     "project not found",
			err:      NewProjectNotFound("abcdefghjk2345"),
			code:     "60301",
			grpcCode: codes.NotFound,
			message:  "Project with ID 'abcdefghjk2345' not found",
			meta:     map[string]string{"project_id": "abcdefghjk2345"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Code(); got != tt.code {
				t.Errorf("Code() = %q, want %q", got, tt.code)
			}
			if got := tt.err.GRPCCode(); got != tt.grpcCode {
				t.Errorf("GRPCCode() = %v, want %v", got, tt.grpcCode)
			}
			if got := tt.err.Message(); got != tt.message {
				t.Errorf("Message() = %q, want %q", got, tt.message)
			}
			if got, want := tt.err.Error(), tt.code+": "+tt.message; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
			want := &altalunev1.ErrorDetail{Code: tt.code, Meta: tt.meta}
			details := tt.err.Details()
			if len(details) != 1 || !proto.Equal(details[0], want) {
				t.Errorf("Details() = %v, want [%v]", details, want)
			}
		})
	}
}

func TestGRPCStatus(t *testing.T) {
	err := NewProjectNotFound("abcdefghjk2345")

	st, ok := status.FromError(err)
	if !ok {
		t.Fatal("status.FromError did not recognise *AppError")
	}
	if st.Code() != codes.NotFound {
		t.Errorf("code = %v, want NotFound", st.Code())
	}
	if st.Message() != "Project with ID 'abcdefghjk2345' not found" {
		t.Errorf("message = %q", st.Message())
	}

	// grpc-go also finds the status of a wrapped AppError.
	if wrapped, ok := status.FromError(fmt.Errorf("get project: %w", err)); !ok || wrapped.Code() != codes.NotFound {
		t.Errorf("wrapped AppError: status %v, ok %v", wrapped, ok)
	}

	// The details survive the wire format.
	decoded := status.FromProto(st.Proto())
	details := decoded.Details()
	if len(details) != 1 {
		t.Fatalf("got %d details, want 1: %v", len(details), details)
	}
	detail, ok := details[0].(*altalunev1.ErrorDetail)
	if !ok {
		t.Fatalf("detail is %T, want *altalunev1.ErrorDetail", details[0])
	}
	want := &altalunev1.ErrorDetail{Code: "60301", Meta: map[string]string{"project_id": "abcdefghjk2345"}}
	if !proto.Equal(detail, want) {
		t.Errorf("detail = %v, want %v", detail, want)
	}
}

func TestToConnectError(t *testing.T) {
	appErr := NewUnexpectedError("Failed to query employees", errors.New("timeout"))
	err := ToConnectError(fmt.Errorf("query: %w", appErr))

	var connectErr *connect.Error
	if !errors.As(err, &connectErr) {
		t.Fatalf("ToConnectError returned %T, want *connect.Error", err)
	}
	if connectErr.Code() != connect.CodeInternal {
		t.Errorf("code = %v, want %v", connectErr.Code(), connect.CodeInternal)
	}
	if connectErr.Message() != "Failed to query employees" {
		t.Errorf("message = %q", connectErr.Message())
	}
	details := connectErr.Details()
	if len(details) != 1 {
		t.Fatalf("got %d details, want 1", len(details))
	}
	if details[0].Type() != "altalune.v1.ErrorDetail" {
		t.Errorf("detail type = %q", details[0].Type())
	}
	value, err := details[0].Value()
	if err != nil {
		t.Fatal(err)
	}
	want := &altalunev1.ErrorDetail{Code: "69901", Meta: map[string]string{"underlying_error": "timeout"}}
	if !proto.Equal(value, want) {
		t.Errorf("detail = %v, want %v", value, want)
	}
}

func TestToConnectErrorLeavesOtherErrors(t *testing.T) {
	if err := ToConnectError(nil); err != nil {
		t.Errorf("ToConnectError(nil) = %v", err)
	}
	plain := errors.New("boom")
	if err := ToConnectError(plain); err != plain {
		t.Errorf("ToConnectError(plain) = %v, want the same error", err)
	}
	connectErr := connect.NewError(connect.CodeAborted, plain)
	if err := ToConnectError(connectErr); err != connectErr {
		t.Errorf("ToConnectError(*connect.Error) = %v, want the same error", err)
	}
}

// TestConnectCodeMatchesGRPC checks every gRPC code against the Connect code
// of the same number; OK, which Connect has not, maps to Unknown.
func TestConnectCodeMatchesGRPC(t *testing.T) {
	if got := connectCode(codes.OK); got != connect.CodeUnknown {
		t.Errorf("connectCode(OK) = %v, want unknown", got)
	}
	for c := codes.Canceled; c <= codes.Unauthenticated; c++ {
		got := connectCode(c)
		if uint32(got) != uint32(c) {
			t.Errorf("connectCode(%v) = %v (%d), want code %d", c, got, got, c)
		}
		if err := ToConnectError(&AppError{code: "69999", message: "m", grpcCode: c}); connect.CodeOf(err) != got {
			t.Errorf("ToConnectError with %v has code %v, want %v", c, connect.CodeOf(err), got)
		}
	}
	if got := connectCode(codes.Code(99)); got != connect.CodeUnknown {
		t.Errorf("connectCode(99) = %v, want unknown", got)
	}
}
