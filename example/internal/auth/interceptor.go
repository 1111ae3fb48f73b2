package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const (
	// authorizationHeader is the HTTP header carrying the bearer token.
	authorizationHeader = "Authorization"
	// authorizationMetadataKey is the gRPC metadata key carrying the bearer
	// token (gRPC metadata keys are lower case).
	authorizationMetadataKey = "authorization"
	// accessTokenCookie is the cookie consulted when no Authorization header
	// is present.
	accessTokenCookie = "access_token"
	// bearerScheme is the authentication scheme expected in the
	// Authorization header, compared case-insensitively.
	bearerScheme = "Bearer"
)

// Short, client-facing reasons for rejecting a request. They deliberately
// say nothing about why validation failed.
const (
	msgInvalidToken       = "invalid token"
	msgInvalidAuthzHeader = "invalid authorization header"
)

// nilValidatorPanic is the panic value of the interceptor constructors when
// given a nil validator.
const nilValidatorPanic = "auth: nil *JWTValidator"

// errMalformedHeader is returned by the token extractors when an
// authorization header or metadata entry is present but is not a single,
// well-formed "Bearer <token>" value.
var errMalformedHeader = errors.New(msgInvalidAuthzHeader)

// NewAuthInterceptor returns a Connect interceptor that authenticates
// incoming unary and streaming calls with v.
//
// The token is taken from the "Authorization: Bearer <token>" header (the
// scheme is matched case-insensitively) or, when that header is absent, from
// the "access_token" cookie. A call without any token proceeds
// unauthenticated and the handler decides whether that is acceptable. A call
// whose Authorization header is not a well-formed Bearer header, or whose
// token fails validation, is rejected with connect.CodeUnauthenticated. On
// success the handler's context carries the caller's [AuthContext] (see
// [FromContext]).
//
// Client-side calls pass through unchanged. NewAuthInterceptor panics if v
// is nil.
func NewAuthInterceptor(v *JWTValidator) connect.Interceptor {
	if v == nil {
		panic(nilValidatorPanic)
	}
	return &connectInterceptor{validator: v}
}

// connectInterceptor implements connect.Interceptor; see NewAuthInterceptor.
type connectInterceptor struct {
	validator *JWTValidator
}

// WrapUnary implements connect.Interceptor.
func (i *connectInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.authenticate(ctx, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient implements connect.Interceptor; client streams pass
// through unchanged.
func (i *connectInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (i *connectInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.authenticate(ctx, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// authenticate validates the token found in header, if any, and returns ctx
// carrying the resulting AuthContext. Without a token, ctx is returned
// unchanged.
func (i *connectInterceptor) authenticate(ctx context.Context, header http.Header) (context.Context, error) {
	token, err := tokenFromHTTPHeader(header)
	if err != nil {
		return ctx, connect.NewError(connect.CodeUnauthenticated, errMalformedHeader)
	}
	if token == "" {
		return ctx, nil
	}
	ac, err := i.validator.Validate(token)
	if err != nil {
		return ctx, connect.NewError(connect.CodeUnauthenticated, errors.New(msgInvalidToken))
	}
	return WithAuthContext(ctx, ac), nil
}

// NewGRPCAuthInterceptor returns a gRPC unary server interceptor that
// authenticates incoming calls with v.
//
// The token is taken from the "authorization" metadata entry, which must
// read "Bearer <token>" (scheme matched case-insensitively). A call without
// that entry proceeds unauthenticated; a call with a malformed entry or an
// invalid token is rejected with codes.Unauthenticated. On success the
// handler's context carries the caller's [AuthContext].
//
// NewGRPCAuthInterceptor panics if v is nil.
func NewGRPCAuthInterceptor(v *JWTValidator) grpc.UnaryServerInterceptor {
	if v == nil {
		panic(nilValidatorPanic)
	}
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authenticateGRPC(ctx, v)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// NewGRPCStreamAuthInterceptor returns the streaming counterpart of
// [NewGRPCAuthInterceptor]: the handler's stream reports a context carrying
// the caller's [AuthContext].
//
// NewGRPCStreamAuthInterceptor panics if v is nil.
func NewGRPCStreamAuthInterceptor(v *JWTValidator) grpc.StreamServerInterceptor {
	if v == nil {
		panic(nilValidatorPanic)
	}
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authenticateGRPC(ss.Context(), v)
		if err != nil {
			return err
		}
		return handler(srv, &authenticatedStream{ServerStream: ss, ctx: ctx})
	}
}

// authenticatedStream is a grpc.ServerStream whose Context carries the
// caller's AuthContext.
type authenticatedStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the authenticated context of the stream.
func (s *authenticatedStream) Context() context.Context {
	return s.ctx
}

// authenticateGRPC validates the token found in the incoming metadata of
// ctx, if any, and returns ctx carrying the resulting AuthContext. Without a
// token, ctx is returned unchanged.
func authenticateGRPC(ctx context.Context, v *JWTValidator) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	token, err := tokenFromValues(md.Get(authorizationMetadataKey))
	if err != nil {
		return ctx, status.Error(codes.Unauthenticated, msgInvalidAuthzHeader)
	}
	if token == "" {
		return ctx, nil
	}
	ac, err := v.Validate(token)
	if err != nil {
		return ctx, status.Error(codes.Unauthenticated, msgInvalidToken)
	}
	return WithAuthContext(ctx, ac), nil
}

// tokenFromHTTPHeader returns the bearer token of the Authorization header
// or, when that header is absent, the value of the access_token cookie. It
// returns "" when neither is present, and errMalformedHeader when the
// Authorization header is present but malformed.
func tokenFromHTTPHeader(header http.Header) (string, error) {
	if values := header.Values(authorizationHeader); len(values) > 0 {
		return tokenFromValues(values)
	}
	// Request.Cookie applies net/http's lenient cookie parsing to every
	// Cookie header.
	cookie, err := (&http.Request{Header: header}).Cookie(accessTokenCookie)
	if err != nil {
		return "", nil
	}
	return cookie.Value, nil
}

// tokenFromValues returns the bearer token of an authorization header or
// metadata entry given all its values: "" when there is none, and
// errMalformedHeader when there are several or the only one is not a
// well-formed Bearer credential.
func tokenFromValues(values []string) (string, error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		token, ok := parseBearer(values[0])
		if !ok {
			return "", errMalformedHeader
		}
		return token, nil
	default:
		return "", errMalformedHeader
	}
}

// parseBearer parses a "Bearer <token>" credential. The scheme is matched
// case-insensitively and the token must be non-empty and free of
// whitespace.
func parseBearer(value string) (token string, ok bool) {
	scheme, rest, found := strings.Cut(strings.TrimSpace(value), " ")
	if !found || !strings.EqualFold(scheme, bearerScheme) {
		return "", false
	}
	token = strings.TrimLeft(rest, " ")
	if token == "" || strings.ContainsAny(token, " \t\r\n") {
		return "", false
	}
	return token, true
}
