package altalune

import (
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Error codes owned by the infrastructure and the project domain. Every
// domain has its own block of 100 codes.
const (
	CodeInvalidPayload  = "60001"
	CodeProjectNotFound = "60301"
	CodeUnexpected      = "69901"
)

// AppError is an error meant for API clients: a stable application code, a
// human-readable message, the gRPC status code to answer with, and details
// (an *altalunev1.ErrorDetail as a rule) attached to the response.
//
// Services return *AppError; gRPC picks the status up through GRPCStatus and
// Connect handlers convert it with ToConnectError.
type AppError struct {
	code     string
	message  string
	grpcCode codes.Code
	details  []proto.Message
}

// Error implements error as "<code>: <message>".
func (e *AppError) Error() string {
	return e.code + ": " + e.message
}

// Code returns the five-digit application error code.
func (e *AppError) Code() string { return e.code }

// Message returns the human-readable message.
func (e *AppError) Message() string { return e.message }

// GRPCCode returns the gRPC status code the error is answered with.
func (e *AppError) GRPCCode() codes.Code { return e.grpcCode }

// Details returns the details attached to the error.
func (e *AppError) Details() []proto.Message {
	return append([]proto.Message(nil), e.details...)
}

// GRPCStatus returns the gRPC status of the error with its details attached.
// grpc-go calls it when a service method returns an *AppError.
func (e *AppError) GRPCStatus() *status.Status {
	st := status.New(e.grpcCode, e.message)
	if len(e.details) == 0 {
		return st
	}
	details := make([]protoadapt.MessageV1, 0, len(e.details))
	for _, d := range e.details {
		details = append(details, protoadapt.MessageV1Of(d))
	}
	withDetails, err := st.WithDetails(details...)
	if err != nil {
		// Only a detail that cannot be marshalled gets here; the code and
		// the message still reach the client.
		return st
	}
	return withDetails
}

// ToConnectError converts an *AppError found in err's chain into a
// *connect.Error with the matching Connect code, the message and the
// details. Any other error is returned unchanged.
func ToConnectError(err error) error {
	var appErr *AppError
	if !errors.As(err, &appErr) {
		return err
	}
	connectErr := connect.NewError(connectCode(appErr.grpcCode), errors.New(appErr.message))
	for _, d := range appErr.details {
		detail, detailErr := connect.NewErrorDetail(d)
		if detailErr != nil {
			continue
		}
		connectErr.AddDetail(detail)
	}
	return connectErr
}

// connectCode maps a gRPC code to the Connect code of the same meaning
// (and number). codes.OK has no Connect counterpart and maps to Unknown.
func connectCode(c codes.Code) connect.Code {
	switch c {
	case codes.Canceled:
		return connect.CodeCanceled
	case codes.Unknown:
		return connect.CodeUnknown
	case codes.InvalidArgument:
		return connect.CodeInvalidArgument
	case codes.DeadlineExceeded:
		return connect.CodeDeadlineExceeded
	case codes.NotFound:
		return connect.CodeNotFound
	case codes.AlreadyExists:
		return connect.CodeAlreadyExists
	case codes.PermissionDenied:
		return connect.CodePermissionDenied
	case codes.ResourceExhausted:
		return connect.CodeResourceExhausted
	case codes.FailedPrecondition:
		return connect.CodeFailedPrecondition
	case codes.Aborted:
		return connect.CodeAborted
	case codes.OutOfRange:
		return connect.CodeOutOfRange
	case codes.Unimplemented:
		return connect.CodeUnimplemented
	case codes.Internal:
		return connect.CodeInternal
	case codes.Unavailable:
		return connect.CodeUnavailable
	case codes.DataLoss:
		return connect.CodeDataLoss
	case codes.Unauthenticated:
		return connect.CodeUnauthenticated
	default:
		return connect.CodeUnknown
	}
}

// newError builds an AppError with a single ErrorDetail carrying code and
// meta.
func newError(code string, grpcCode codes.Code, message string, meta map[string]string) *AppError {
	return &AppError{
		code:     code,
		message:  message,
		grpcCode: grpcCode,
		details:  []proto.Message{&altalunev1.ErrorDetail{Code: code, Meta: meta}},
	}
}

// NewInvalidPayloadError reports a request that failed validation; message
// describes the violations.
func NewInvalidPayloadError(message string) *AppError {
	return newError(CodeInvalidPayload, codes.InvalidArgument, message, nil)
}

// NewUnexpectedError reports a failure the client cannot act on. The text
// of err goes into the detail's meta as underlying_error.
func NewUnexpectedError(message string, err error) *AppError {
	var meta map[string]string
	if err != nil {
		meta = map[string]string{"underlying_error": err.Error()}
	}
	return newError(CodeUnexpected, codes.Internal, message, meta)
}

// NewProjectNotFound reports that no project has the public ID projectID.
func NewProjectNotFound(projectID string) *AppError {
	return newError(CodeProjectNotFound, codes.NotFound,
		"Project with ID '"+projectID+"' not found",
		map[string]string{"project_id": projectID})
}
