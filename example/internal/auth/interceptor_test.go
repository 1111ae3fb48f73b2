package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/hrz8/altalune/internal/auth"
)

const (
	whoamiProcedure       = "/altalune.test.v1.TestService/Whoami"
	whoamiStreamProcedure = "/altalune.test.v1.TestService/WhoamiStream"
)

// whoami is the test handler: it reports the AuthContext it was given as
// JSON.
func whoami(ctx context.Context) (*wrapperspb.StringValue, error) {
	data, err := json.Marshal(auth.FromContext(ctx))
	if err != nil {
		return nil, connect.NewError(connect.CodeInternal, err)
	}
	return wrapperspb.String(string(data)), nil
}

// newTestServer serves whoami, unary and server-streaming, behind the auth
// interceptor.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	opt := connect.WithInterceptors(auth.NewAuthInterceptor(newValidator(t, auth.ValidatorOptions{})))
	mux := http.NewServeMux()
	mux.Handle(whoamiProcedure, connect.NewUnaryHandler(whoamiProcedure,
		func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
			msg, err := whoami(ctx)
			if err != nil {
				return nil, err
			}
			return connect.NewResponse(msg), nil
		}, opt))
	mux.Handle(whoamiStreamProcedure, connect.NewServerStreamHandler(whoamiStreamProcedure,
		func(ctx context.Context, _ *connect.Request[emptypb.Empty], stream *connect.ServerStream[wrapperspb.StringValue]) error {
			msg, err := whoami(ctx)
			if err != nil {
				return err
			}
			return stream.Send(msg)
		}, opt))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// decodeAuthContext decodes the JSON produced by whoami.
func decodeAuthContext(t *testing.T, s string) auth.AuthContext {
	t.Helper()
	var ac auth.AuthContext
	if err := json.Unmarshal([]byte(s), &ac); err != nil {
		t.Fatalf("decode AuthContext %q: %v", s, err)
	}
	return ac
}

func TestConnectInterceptor(t *testing.T) {
	srv := newTestServer(t)
	token := validToken(t, validClaims())
	expiredClaims := validClaims()
	expiredClaims.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	expired := validToken(t, expiredClaims)

	authenticated := auth.AuthContext{
		UserID:          "user-123",
		Email:           "ada@example.com",
		Name:            "Ada Lovelace",
		Permissions:     []string{"employee:read", "employee:write"},
		Memberships:     map[string]string{"proj_a": "owner", "proj_b": "viewer"},
		EmailVerified:   true,
		IsAuthenticated: true,
	}

	tests := []struct {
		name    string
		header  http.Header
		want    auth.AuthContext // when wantMsg is empty
		wantMsg string           // message of the expected Unauthenticated error
	}{
		{
			name: "no token runs unauthenticated",
			want: auth.AuthContext{},
		},
		{
			name:   "unrelated cookie runs unauthenticated",
			header: http.Header{"Cookie": {"session=abc"}},
			want:   auth.AuthContext{},
		},
		{
			name:   "empty access_token cookie runs unauthenticated",
			header: http.Header{"Cookie": {"access_token="}},
			want:   auth.AuthContext{},
		},
		{
			name:   "valid bearer token",
			header: http.Header{"Authorization": {"Bearer " + token}},
			want:   authenticated,
		},
		{
			name:   "scheme is case-insensitive",
			header: http.Header{"Authorization": {"bEaReR " + token}},
			want:   authenticated,
		},
		{
			name:   "access_token cookie",
			header: http.Header{"Cookie": {"theme=dark; access_token=" + token}},
			want:   authenticated,
		},
		{
			name:   "header takes precedence over cookie",
			header: http.Header{"Authorization": {"Bearer " + token}, "Cookie": {"access_token=garbage"}},
			want:   authenticated,
		},
		{
			name:    "invalid header is not rescued by a valid cookie",
			header:  http.Header{"Authorization": {"Bearer garbage"}, "Cookie": {"access_token=" + token}},
			wantMsg: "invalid token",
		},
		{
			name:    "invalid bearer token",
			header:  http.Header{"Authorization": {"Bearer not.a.token"}},
			wantMsg: "invalid token",
		},
		{
			name:    "expired bearer token",
			header:  http.Header{"Authorization": {"Bearer " + expired}},
			wantMsg: "invalid token",
		},
		{
			name:    "invalid cookie token",
			header:  http.Header{"Cookie": {"access_token=garbage"}},
			wantMsg: "invalid token",
		},
		{
			name:    "basic scheme",
			header:  http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "scheme without token",
			header:  http.Header{"Authorization": {"Bearer"}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "scheme with blank token",
			header:  http.Header{"Authorization": {"Bearer   "}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "token without scheme",
			header:  http.Header{"Authorization": {token}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "token with spaces",
			header:  http.Header{"Authorization": {"Bearer " + token + " extra"}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "empty header",
			header:  http.Header{"Authorization": {""}},
			wantMsg: "invalid authorization header",
		},
		{
			name:    "several headers",
			header:  http.Header{"Authorization": {"Bearer " + token, "Bearer " + token}},
			wantMsg: "invalid authorization header",
		},
	}

	clients := map[string]func(context.Context, http.Header) (string, error){
		"unary": func(ctx context.Context, header http.Header) (string, error) {
			client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](srv.Client(), srv.URL+whoamiProcedure)
			req := connect.NewRequest(&emptypb.Empty{})
			copyHeader(req.Header(), header)
			res, err := client.CallUnary(ctx, req)
			if err != nil {
				return "", err
			}
			return res.Msg.GetValue(), nil
		},
		"server stream": func(ctx context.Context, header http.Header) (string, error) {
			client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](srv.Client(), srv.URL+whoamiStreamProcedure)
			req := connect.NewRequest(&emptypb.Empty{})
			copyHeader(req.Header(), header)
			stream, err := client.CallServerStream(ctx, req)
			if err != nil {
				return "", err
			}
			defer stream.Close()
			var got string
			for stream.Receive() {
				got = stream.Msg().GetValue()
			}
			return got, stream.Err()
		},
	}

	for kind, call := range clients {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				got, err := call(t.Context(), tt.header)
				if tt.wantMsg != "" {
					assertConnectError(t, err, connect.CodeUnauthenticated, tt.wantMsg)
					return
				}
				if err != nil {
					t.Fatalf("call: %v", err)
				}
				if ac := decodeAuthContext(t, got); !reflect.DeepEqual(ac, tt.want) {
					t.Errorf("handler saw %+v, want %+v", ac, tt.want)
				}
			})
		}
	}
}

func TestConnectInterceptorClientSidePassesThrough(t *testing.T) {
	srv := newTestServer(t)
	// Used on the client, the interceptor must neither add nor check
	// credentials: a call without a token reaches the server unauthenticated,
	// and the client's own headers are sent untouched.
	interceptor := auth.NewAuthInterceptor(newValidator(t, auth.ValidatorOptions{}))
	client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](srv.Client(), srv.URL+whoamiProcedure,
		connect.WithInterceptors(interceptor))

	res, err := client.CallUnary(t.Context(), connect.NewRequest(&emptypb.Empty{}))
	if err != nil {
		t.Fatalf("call without token: %v", err)
	}
	if ac := decodeAuthContext(t, res.Msg.GetValue()); ac.IsAuthenticated {
		t.Errorf("handler saw %+v, want unauthenticated", ac)
	}

	req := connect.NewRequest(&emptypb.Empty{})
	req.Header().Set("Authorization", "Bearer "+validToken(t, validClaims()))
	res, err = client.CallUnary(t.Context(), req)
	if err != nil {
		t.Fatalf("call with token: %v", err)
	}
	if ac := decodeAuthContext(t, res.Msg.GetValue()); ac.UserID != "user-123" {
		t.Errorf("handler saw %+v, want user-123", ac)
	}

	called := false
	next := connect.StreamingClientFunc(func(context.Context, connect.Spec) connect.StreamingClientConn {
		called = true
		return nil
	})
	interceptor.WrapStreamingClient(next)(t.Context(), connect.Spec{IsClient: true})
	if !called {
		t.Error("WrapStreamingClient did not pass the call through")
	}
}

func TestInterceptorConstructorsPanicOnNilValidator(t *testing.T) {
	constructors := map[string]func(){
		"NewAuthInterceptor":           func() { auth.NewAuthInterceptor(nil) },
		"NewGRPCAuthInterceptor":       func() { auth.NewGRPCAuthInterceptor(nil) },
		"NewGRPCStreamAuthInterceptor": func() { auth.NewGRPCStreamAuthInterceptor(nil) },
	}
	for name, construct := range constructors {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			construct()
		})
	}
}

// copyHeader adds every value of src to dst.
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

// grpcCase is a test case of the gRPC interceptors.
type grpcCase struct {
	name     string
	md       metadata.MD // nil: no incoming metadata at all
	wantUser string      // expected UserID ("" for unauthenticated) when wantMsg is empty
	wantMsg  string      // message of the expected Unauthenticated status
}

func grpcCases(t *testing.T) []grpcCase {
	token := validToken(t, validClaims())
	return []grpcCase{
		{name: "no metadata"},
		{name: "metadata without authorization", md: metadata.Pairs("x-request-id", "1")},
		{name: "valid token", md: metadata.Pairs("authorization", "Bearer "+token), wantUser: "user-123"},
		{name: "lower-case scheme", md: metadata.Pairs("authorization", "bearer "+token), wantUser: "user-123"},
		{name: "invalid token", md: metadata.Pairs("authorization", "Bearer garbage"), wantMsg: "invalid token"},
		{name: "token signed by another key", md: metadata.Pairs("authorization", "Bearer "+signRS256(t, otherKey, testKID, validClaims())), wantMsg: "invalid token"},
		{name: "malformed header", md: metadata.Pairs("authorization", "Token "+token), wantMsg: "invalid authorization header"},
		{name: "several values", md: metadata.Pairs("authorization", "Bearer "+token, "authorization", "Bearer "+token), wantMsg: "invalid authorization header"},
	}
}

// incomingContext returns a context carrying md as incoming metadata, if
// md is not nil.
func incomingContext(t *testing.T, md metadata.MD) context.Context {
	if md == nil {
		return t.Context()
	}
	return metadata.NewIncomingContext(t.Context(), md)
}

// checkGRPCResult checks the outcome of a gRPC interceptor call.
func checkGRPCResult(t *testing.T, tc grpcCase, err error, called bool, seen *auth.AuthContext) {
	t.Helper()
	if tc.wantMsg != "" {
		if st, ok := status.FromError(err); !ok || st.Code() != codes.Unauthenticated || st.Message() != tc.wantMsg {
			t.Errorf("error = %v, want Unauthenticated %q", err, tc.wantMsg)
		}
		if called {
			t.Error("handler ran despite the error")
		}
		return
	}
	if err != nil {
		t.Fatalf("error = %v", err)
	}
	if !called {
		t.Fatal("handler did not run")
	}
	if seen.IsAuthenticated != (tc.wantUser != "") || seen.UserID != tc.wantUser {
		t.Errorf("handler saw %+v, want user %q", seen, tc.wantUser)
	}
}

func TestGRPCUnaryInterceptor(t *testing.T) {
	interceptor := auth.NewGRPCAuthInterceptor(newValidator(t, auth.ValidatorOptions{}))
	info := &grpc.UnaryServerInfo{FullMethod: "/altalune.test.v1.TestService/Whoami"}
	for _, tc := range grpcCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var (
				called bool
				seen   *auth.AuthContext
			)
			handler := func(ctx context.Context, req any) (any, error) {
				called = true
				seen = auth.FromContext(ctx)
				return "response", nil
			}
			res, err := interceptor(incomingContext(t, tc.md), "request", info, handler)
			checkGRPCResult(t, tc, err, called, seen)
			if err == nil && res != "response" {
				t.Errorf("response = %v, want the handler's", res)
			}
		})
	}
}

// fakeServerStream is a grpc.ServerStream that only has a context.
type fakeServerStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *fakeServerStream) Context() context.Context { return s.ctx }

func TestGRPCStreamInterceptor(t *testing.T) {
	interceptor := auth.NewGRPCStreamAuthInterceptor(newValidator(t, auth.ValidatorOptions{}))
	info := &grpc.StreamServerInfo{FullMethod: "/altalune.test.v1.TestService/WhoamiStream", IsServerStream: true}
	for _, tc := range grpcCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			var (
				called bool
				seen   *auth.AuthContext
			)
			errHandler := errors.New("handler result")
			handler := func(srv any, ss grpc.ServerStream) error {
				called = true
				seen = auth.FromContext(ss.Context())
				return errHandler
			}
			err := interceptor(nil, &fakeServerStream{ctx: incomingContext(t, tc.md)}, info, handler)
			if errors.Is(err, errHandler) {
				err = nil
			} else if err == nil {
				t.Fatal("the handler's error was not returned")
			}
			checkGRPCResult(t, tc, err, called, seen)
		})
	}
}
