//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	altalunev1 "github.com/hrz8/altalune/gen/altalune/v1"
)

// Error codes of the API (ErrorDetail.code).
const (
	codeInvalidPayload      = "60001"
	codeEmployeeNotFound    = "60201"
	codeEmployeeExists      = "60202"
	codeProjectNotFound     = "60301"
	codeCurrencyNotFound    = "60401"
	codeCurrencyExists      = "60402"
	codeTicketNotFound      = "60501"
	codeTicketExists        = "60502"
	codeTicketAlreadyClosed = "60503"
	codeTicketClosedKept    = "60504"

	errorDetailType = "altalune.v1.ErrorDetail"
)

// apiError is an RPC error decoded the same way for both protocols.
type apiError struct {
	Code    connect.Code // gRPC status codes have the same numbers
	Message string
	Details []any // decoded messages, or the decoding error
}

// decodeError reads the status code and the details of a Connect or gRPC error.
func decodeError(err error) (*apiError, bool) {
	if err == nil {
		return nil, false
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		out := &apiError{Code: ce.Code(), Message: ce.Message()}
		for _, d := range ce.Details() {
			v, derr := d.Value()
			if derr != nil {
				out.Details = append(out.Details, fmt.Errorf("detail %s: %w", d.Type(), derr))
				continue
			}
			out.Details = append(out.Details, v)
		}
		return out, true
	}
	if st, ok := status.FromError(err); ok {
		return &apiError{Code: connect.Code(st.Code()), Message: st.Message(), Details: st.Details()}, true
	}
	return nil, false
}

// errorDetail returns the single ErrorDetail an API error must carry.
func (e *apiError) errorDetail() (*altalunev1.ErrorDetail, error) {
	var found []*altalunev1.ErrorDetail
	for _, d := range e.Details {
		switch v := d.(type) {
		case *altalunev1.ErrorDetail:
			found = append(found, v)
		case error:
			return nil, v
		}
	}
	if len(found) != 1 || len(e.Details) != 1 {
		return nil, fmt.Errorf("want exactly one detail of type %s, got %d details (%d ErrorDetail)",
			errorDetailType, len(e.Details), len(found))
	}
	return found[0], nil
}

func (e *apiError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %q", e.Code, e.Message)
	for _, d := range e.Details {
		switch v := d.(type) {
		case *altalunev1.ErrorDetail:
			fmt.Fprintf(&b, " [detail code=%q meta=%v]", v.GetCode(), v.GetMeta())
		case proto.Message:
			fmt.Fprintf(&b, " [detail %s %v]", v.ProtoReflect().Descriptor().FullName(), v)
		default:
			fmt.Fprintf(&b, " [detail %v]", v)
		}
	}
	return b.String()
}

// describeError renders any error with its API code and details.
func describeError(err error) string {
	if ae, ok := decodeError(err); ok {
		return ae.String()
	}
	return err.Error()
}

// requireOK fails the test when an RPC failed.
func requireOK(t *testing.T, err error, call string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s failed: %s", call, describeError(err))
	}
}

// anyMeta tells requireAPIError not to check the detail's meta.
var anyMeta map[string]string

// requireAPIError checks an RPC error: status code, ErrorDetail.code and,
// unless wantMeta is nil, ErrorDetail.meta exactly.
func requireAPIError(t *testing.T, err error, call string, wantStatus connect.Code, wantCode string, wantMeta map[string]string) {
	t.Helper()
	if msg := checkAPIError(err, wantStatus, wantCode, wantMeta); msg != "" {
		t.Fatalf("%s: %s", call, msg)
	}
}

// checkAPIError is requireAPIError returning the complaint, for use off the
// test goroutine.
func checkAPIError(err error, wantStatus connect.Code, wantCode string, wantMeta map[string]string) string {
	if err == nil {
		return fmt.Sprintf("succeeded, want %s error %s", wantStatus, wantCode)
	}
	ae, ok := decodeError(err)
	if !ok {
		return fmt.Sprintf("want %s error %s, got a non-RPC error: %v", wantStatus, wantCode, err)
	}
	if ae.Code != wantStatus {
		return fmt.Sprintf("status %s, want %s (error: %s)", ae.Code, wantStatus, ae)
	}
	detail, derr := ae.errorDetail()
	if derr != nil {
		return fmt.Sprintf("bad error details: %v (error: %s)", derr, ae)
	}
	if detail.GetCode() != wantCode {
		return fmt.Sprintf("ErrorDetail.code %q, want %q (error: %s)", detail.GetCode(), wantCode, ae)
	}
	if wantMeta != nil && !maps.Equal(detail.GetMeta(), wantMeta) {
		return fmt.Sprintf("ErrorDetail.meta %v, want %v (error: %s)", detail.GetMeta(), wantMeta, ae)
	}
	return ""
}

// requireInvalidPayload checks an InvalidArgument error with code 60001.
func requireInvalidPayload(t *testing.T, err error, call string) {
	t.Helper()
	requireAPIError(t, err, call, connect.CodeInvalidArgument, codeInvalidPayload, anyMeta)
}

// requireNotInternal fails on an Internal/Unknown error (the server choked).
func requireNotInternal(t *testing.T, err error, call string) {
	t.Helper()
	if err == nil {
		return
	}
	ae, ok := decodeError(err)
	if !ok || ae.Code == connect.CodeInternal || ae.Code == connect.CodeUnknown {
		t.Fatalf("%s: unexpected server failure: %s", call, describeError(err))
	}
}

// requireProtoEqual compares two messages and prints both on a mismatch.
func requireProtoEqual(t *testing.T, got, want proto.Message, what string) {
	t.Helper()
	if !proto.Equal(got, want) {
		t.Fatalf("%s differs\n got: %s\nwant: %s", what, protoText(got), protoText(want))
	}
}

func protoText(m proto.Message) string {
	b, err := protojson.MarshalOptions{EmitUnpopulated: false}.Marshal(m)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// requireEqual compares comparable values.
func requireEqual[T comparable](t *testing.T, got, want T, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

// requireStrings compares string slices in order.
func requireStrings(t *testing.T, got, want []string, what string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// requireSameSet compares string slices ignoring order.
func requireSameSet(t *testing.T, got, want []string, what string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(g, w) {
		t.Fatalf("%s = %q, want (in any order) %q", what, got, want)
	}
}

// requireRecent checks that a server timestamp is set and close to now.
func requireRecent(t *testing.T, ts *timestamppb.Timestamp, what string) {
	t.Helper()
	if ts == nil {
		t.Fatalf("%s is not set", what)
	}
	if err := ts.CheckValid(); err != nil {
		t.Fatalf("%s is invalid: %v", what, err)
	}
	if d := time.Since(ts.AsTime()); d < -2*time.Minute || d > 10*time.Minute {
		t.Fatalf("%s = %s, not close to now (%s)", what, ts.AsTime().Format(time.RFC3339Nano), time.Now().UTC().Format(time.RFC3339Nano))
	}
}

// requireMessage checks the message of a Create/Update/Delete response.
func requireMessage(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("response message = %q, want %q", got, want)
	}
}

// ids returns the public IDs of entities, in order.
func ids[T interface{ GetId() string }](items []T) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.GetId()
	}
	return out
}

// catalog returns meta.filters as a plain map.
func catalog(meta *altalunev1.QueryMetaResponse) map[string][]string {
	out := map[string][]string{}
	for k, v := range meta.GetFilters() {
		out[k] = v.GetValues()
	}
	return out
}

// requireMeta checks row_count and page_count.
func requireMeta(t *testing.T, meta *altalunev1.QueryMetaResponse, rows, pages int32) {
	t.Helper()
	if meta == nil {
		t.Fatal("query response has no meta")
	}
	if meta.GetRowCount() != rows || meta.GetPageCount() != pages {
		t.Fatalf("meta row_count=%d page_count=%d, want row_count=%d page_count=%d",
			meta.GetRowCount(), meta.GetPageCount(), rows, pages)
	}
}
