package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/golang-jwt/jwt/v5"

	"github.com/hrz8/altalune/internal/auth"
	"github.com/hrz8/altalune/internal/auth/authdev"
)

// Keys shared by the tests of this package, generated once in TestMain.
var (
	// signingKey is published in the JWKS of testJWKS under testKID.
	signingKey *rsa.PrivateKey
	// otherKey is never published.
	otherKey *rsa.PrivateKey
)

const testKID = "test-key"

func TestMain(m *testing.M) {
	var err error
	if signingKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		fmt.Fprintln(os.Stderr, "generate key:", err)
		os.Exit(1)
	}
	if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		fmt.Fprintln(os.Stderr, "generate key:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// testJWKS returns a JWKS publishing the public half of signingKey as testKID.
func testJWKS(t *testing.T) []byte {
	t.Helper()
	jwks, err := authdev.JWKS(&signingKey.PublicKey, testKID)
	if err != nil {
		t.Fatalf("JWKS: %v", err)
	}
	return jwks
}

// newValidator returns a validator trusting testJWKS.
func newValidator(t *testing.T, opts auth.ValidatorOptions) *auth.JWTValidator {
	t.Helper()
	v, err := auth.NewJWTValidator(testJWKS(t), opts)
	if err != nil {
		t.Fatalf("NewJWTValidator: %v", err)
	}
	return v
}

// validClaims returns claims of a token valid for the next hour.
func validClaims() auth.Claims {
	now := time.Now()
	return auth.Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   "user-123",
			Issuer:    "https://id.altalune.test",
			Audience:  jwt.ClaimStrings{"altalune-api"},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		},
		Email:         "ada@example.com",
		Name:          "Ada Lovelace",
		Perms:         []string{"employee:read", "employee:write"},
		Memberships:   map[string]string{"proj_a": "owner", "proj_b": "viewer"},
		EmailVerified: true,
	}
}

// signRS256 signs claims with key using RS256 and the given kid ("" leaves
// the kid header out).
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims jwt.Claims) string {
	t.Helper()
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	signed, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	return signed
}

// validToken returns a token signed with signingKey carrying claims.
func validToken(t *testing.T, claims auth.Claims) string {
	t.Helper()
	return signRS256(t, signingKey, testKID, claims)
}

// assertConnectError checks that err is a *connect.Error with the given code
// and message.
func assertConnectError(t *testing.T, err error, code connect.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %v %q", code, msg)
	}
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("got %T %v, want a *connect.Error", err, err)
	}
	if cerr.Code() != code {
		t.Errorf("code = %v, want %v (error %v)", cerr.Code(), code, err)
	}
	if cerr.Message() != msg {
		t.Errorf("message = %q, want %q", cerr.Message(), msg)
	}
}

func TestFromContextWithoutAuthContext(t *testing.T) {
	got := auth.FromContext(context.Background())
	if got == nil {
		t.Fatal("FromContext returned nil")
	}
	if !reflect.DeepEqual(*got, auth.AuthContext{}) {
		t.Errorf("FromContext = %+v, want the zero (unauthenticated) AuthContext", *got)
	}
}

func TestFromContextWithNilAuthContext(t *testing.T) {
	ctx := auth.WithAuthContext(context.Background(), nil)
	got := auth.FromContext(ctx)
	if got == nil || got.IsAuthenticated {
		t.Errorf("FromContext = %+v, want an unauthenticated AuthContext", got)
	}
}

func TestWithAuthContextRoundTrip(t *testing.T) {
	want := &auth.AuthContext{UserID: "u1", Permissions: []string{"a:b"}, IsAuthenticated: true}
	ctx := auth.WithAuthContext(context.Background(), want)
	if got := auth.FromContext(ctx); got != want {
		t.Errorf("FromContext = %+v, want %+v", got, want)
	}
}

func TestFromContextReturnsFreshUnauthenticatedContext(t *testing.T) {
	a := auth.FromContext(context.Background())
	a.IsAuthenticated = true
	a.UserID = "tampered"
	if b := auth.FromContext(context.Background()); b.IsAuthenticated || b.UserID != "" {
		t.Errorf("mutating one unauthenticated AuthContext changed another: %+v", b)
	}
}

func TestAuthContextHelpers(t *testing.T) {
	ac := &auth.AuthContext{
		UserID:          "u1",
		Permissions:     []string{"employee:read"},
		Memberships:     map[string]string{"p1": "owner"},
		IsAuthenticated: true,
	}
	if !ac.HasPermission("employee:read") || ac.HasPermission("employee:write") {
		t.Error("HasPermission does not compare permissions exactly")
	}
	if ac.IsRoot() {
		t.Error("IsRoot = true without the root permission")
	}
	if role, ok := ac.ProjectRole("p1"); !ok || role != "owner" {
		t.Errorf(`ProjectRole("p1") = %q, %v; want "owner", true`, role, ok)
	}
	if _, ok := ac.ProjectRole(""); ok {
		t.Error(`ProjectRole("") reported a membership`)
	}

	var nilAC *auth.AuthContext
	if nilAC.HasPermission("employee:read") || nilAC.IsRoot() {
		t.Error("nil AuthContext reports permissions")
	}
	if _, ok := nilAC.ProjectRole("p1"); ok {
		t.Error("nil AuthContext reports a membership")
	}

	// Fields of an unauthenticated context are ignored.
	unauth := &auth.AuthContext{Permissions: []string{auth.RootPermission}, Memberships: map[string]string{"p1": "owner"}}
	if unauth.IsRoot() {
		t.Error("unauthenticated AuthContext reports root")
	}
	if _, ok := unauth.ProjectRole("p1"); ok {
		t.Error("unauthenticated AuthContext reports a membership")
	}
}
